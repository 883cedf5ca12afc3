import { InputError, type Finding } from '../../core/errors.js';
import type { LoadResultsFile, Summary } from '../../loadgen/results.js';
import type { Slo } from '../model.js';
import type { SliMeasurement, SliSource } from './evaluate.js';

/**
 * SLIs from a load run's results file, per segment. A run covers only its own duration, so every
 * window asked for (the period too) gets the run's ratio; the source says so through `fixedWindowMs`.
 * Every SLO is measured up front, so all mismatches between the SLOs and the file surface at once.
 */
export function loadResultsSource(file: LoadResultsFile, slos: readonly Slo[]): SliSource {
  const measured = new Map<string, SliMeasurement>();
  const findings: Finding[] = [];
  for (const slo of slos) {
    const outcome = measureRun(file, slo);
    if ('finding' in outcome) findings.push(outcome.finding);
    else measured.set(slo.id, outcome);
  }
  if (findings.length > 0) throw new InputError(findings);
  return {
    origin: file.file,
    fixedWindowMs: file.results.run.durationMs,
    measure: (slo) => {
      const outcome = measured.get(slo.id) ?? measureRun(file, slo);
      return 'finding' in outcome
        ? Promise.reject(new InputError([outcome.finding]))
        : Promise.resolve(outcome);
    },
  };
}

interface Slice {
  readonly summary: Summary;
  /** Where the summary sits in the file, for findings. */
  readonly path: readonly string[];
}

function measureRun(file: LoadResultsFile, slo: Slo): SliMeasurement | { finding: Finding } {
  const slices = slicesOf(file, slo);
  if ('finding' in slices) return slices;
  const counted = slices.filter((s) => s.summary.requests > 0);
  const requests = counted.reduce((n, s) => n + s.summary.requests, 0);
  if (requests === 0) return { errorRatio: 0, events: 0 };

  if (slo.loadResults.kind === 'availability') {
    const errors = counted.reduce((n, s) => n + s.summary.errors, 0);
    return { errorRatio: errors / requests, events: requests };
  }
  const threshold = slo.loadResults.latencyThresholdMs;
  if (threshold === undefined) throw new Error(`SLO ${slo.id} has a latency SLI without a threshold`);
  let fastEnough = 0;
  for (const slice of counted) {
    // Thresholds come from seconds (`le: "1.1"` is 1100.0000000000002 ms), so compare with a tolerance.
    const bucket = Object.entries(slice.summary.latencyBucketsMs).find(
      ([key]) => Math.abs(Number(key) - threshold) < 1e-6,
    );
    if (!bucket) {
      const known = Object.keys(slice.summary.latencyBucketsMs).sort((a, b) => Number(a) - Number(b));
      return {
        finding: {
          location: file.locate([...slice.path, 'latencyBucketsMs']),
          message:
            `SLO ${slo.id} (${slo.source.file}) counts requests within ${threshold} ms, but this summary has ` +
            `${known.length > 0 ? `buckets at ${known.join(', ')} ms only` : 'no latency buckets'}; ` +
            `rerun the load with a ${threshold} ms bucket or use one of these thresholds`,
        },
      };
    }
    fastEnough += bucket[1];
  }
  return { errorRatio: 1 - fastEnough / requests, events: requests };
}

/**
 * The summaries an SLO reads: its segment's (or the run's) totals when it names no steps, else the
 * steps it names. A segment or step the run never reached has no summary, which counts as no traffic;
 * a step that no segment reached is more likely a typo, so it is a finding.
 */
function slicesOf(file: LoadResultsFile, slo: Slo): Slice[] | { finding: Finding } {
  const { results } = file;
  const segment = slo.segment?.value;
  const steps = slo.loadResults.steps;
  if (steps.length === 0) {
    if (segment === undefined) return [{ summary: results.totals, path: ['totals'] }];
    const summary = own(results.bySegment, segment);
    return summary ? [{ summary, path: ['bySegment', segment] }] : [];
  }
  const unknown = steps.filter((step) => !Object.hasOwn(results.byStep, step));
  if (unknown.length > 0) {
    const known = Object.keys(results.byStep);
    return {
      finding: {
        location: file.locate(['byStep']),
        message:
          `SLO ${slo.id} (${slo.source.file}) counts step ${unknown.map((s) => `"${s}"`).join(', ')}, which this run ` +
          `never reached; its steps are ${known.length > 0 ? known.join(', ') : '(none)'}`,
      },
    };
  }
  return steps.flatMap((step): Slice[] => {
    if (segment === undefined) {
      const summary = own(results.byStep, step);
      return summary ? [{ summary, path: ['byStep', step] }] : [];
    }
    const bySteps = own(results.bySegmentStep, segment);
    const summary = bySteps && own(bySteps, step);
    return summary ? [{ summary, path: ['bySegmentStep', segment, step] }] : [];
  });
}

/** Record lookup that ignores the prototype, so a step named `constructor` is not found on Object. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
