import { InputError, type Finding } from '../../core/errors.js';
import { businessOutcomes, type LoadResultsFile, type Summary } from '../../loadgen/results.js';
import { describeOutcomes, statusMatches } from '../load-counting.js';
import type { LoadCounting, OutcomeSet, Slo } from '../model.js';
import type { SliSource } from './evaluate.js';
import type { SliMeasurement } from './measurement.js';

/**
 * SLIs from a load run's results file, per segment. A run covers only its own duration, so every
 * window asked for (the period too) gets the run's ratio; the source says so through `fixedWindowMs`.
 * Every SLO is measured up front, so all mismatches between the SLOs and the file surface at once.
 *
 * Availability counts what the SLO's `loadResults` counting says is bad (derived from its error
 * query, or written out), from the answers per status and the generator's error kinds: the same
 * requests Prometheus counts from the store's metrics. A document without per-status counts (an
 * older writer) can only count its errors, every one of them bad; a note says so.
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
  const countsByStatus = summariesOf(file).every((summary) => summary.byStatus !== undefined);
  const availability = slos.some((slo) => slo.loadResults.kind === 'availability');
  return {
    origin: file.file,
    fixedWindowMs: file.results.run.durationMs,
    notes: countsByStatus
      ? countingNotes(slos)
      : availability
        ? [
            `${file.file} has no answers per status (written by an older shopsre): every failed request ` +
              'counts as bad, 4xx answers such as 409 out-of-stock included; rerun the load to count ' +
              "what each SLO's loadResults.bad says.",
          ]
        : [],
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
  const sli = slo.loadResults;
  if (sli.kind === 'availability' && sli.counting.kind === 'unknown') {
    return {
      finding: {
        location: sli.counting.location,
        message:
          `SLO ${slo.id} cannot be evaluated on load results: ${sli.counting.reason}; say which outcomes ` +
          'are bad with loadResults.bad, e.g. bad: { status: [5xx], errors: [timeout, connection] }',
      },
    };
  }
  const slices = slicesOf(file, slo);
  if ('finding' in slices) return slices;
  const counted = slices.filter((s) => s.summary.requests > 0);
  const outcomes = { outOfStock: 0, declined: 0, pending: 0 };
  for (const slice of counted) {
    for (const kind of businessOutcomes) outcomes[kind] += slice.summary.businessOutcomes?.[kind] ?? 0;
  }
  const requests = counted.reduce((n, s) => n + s.summary.requests, 0);
  if (requests === 0) return { errorRatio: 0, events: 0, businessOutcomes: outcomes };

  if (sli.kind === 'availability') {
    let bad = 0;
    let events = 0;
    for (const { summary } of counted) {
      const count = countOf(summary, sli.counting);
      bad += count.bad;
      events += count.events;
    }
    return { errorRatio: events === 0 ? 0 : bad / events, events, businessOutcomes: outcomes };
  }
  const threshold = sli.latencyThresholdMs;
  let fastEnough = 0;
  for (const slice of counted) {
    const within = withinThreshold(slice.summary, threshold);
    if (within === undefined) {
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
    fastEnough += within;
  }
  return { errorRatio: 1 - fastEnough / requests, events: requests, businessOutcomes: outcomes };
}

/**
 * Requests of a summary (or of any counts with latency buckets, such as a step point) that took at
 * most `thresholdMs`, from its latency bucket at that threshold; undefined when it has no such bucket.
 * Exported for the game day, which counts latency SLIs over summaries of its burn-rate windows the
 * same way.
 */
export function withinThreshold(
  counts: { readonly latencyBucketsMs: Readonly<Record<string, number>> },
  thresholdMs: number,
): number | undefined {
  return Object.entries(counts.latencyBucketsMs).find(([key]) =>
    sameThresholdMs(Number(key), thresholdMs),
  )?.[1];
}

/**
 * One latency threshold written two ways: thresholds come from seconds (`le: "1.1"` is
 * 1100.0000000000002 ms), so they are compared with a tolerance.
 */
export function sameThresholdMs(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-6;
}

/**
 * Bad outcomes and events of one summary. Answers are counted by status; timeouts and connection
 * errors by kind (they have no status); a failed check by kind too, though its answer is also counted
 * under its 2xx status, so it adds to the bad events only. Bad outcomes are always events. Exported
 * for the game day, which counts availability SLIs over summaries of its burn-rate windows.
 */
export function countOf(summary: Summary, counting: LoadCounting): { bad: number; events: number } {
  if (counting.kind === 'unknown' || summary.byStatus === undefined) {
    return { bad: summary.errors, events: summary.requests };
  }
  const { bad: badSet, events: eventSet } = counting;
  const isEvent = (set: OutcomeSet | 'all', test: (s: OutcomeSet) => boolean): boolean =>
    set === 'all' || test(set);
  let bad = 0;
  let events = 0;
  for (const [key, n] of Object.entries(summary.byStatus)) {
    const status = Number(key);
    const isBad = statusMatches(badSet.status, status);
    if (isBad) bad += n;
    if (isBad || isEvent(eventSet, (s) => statusMatches(s.status, status))) events += n;
  }
  for (const kind of ['timeout', 'connection'] as const) {
    const n = summary.errorsByKind[kind];
    const isBad = badSet.errors.includes(kind);
    if (isBad) bad += n;
    if (isBad || isEvent(eventSet, (s) => s.errors.includes(kind))) events += n;
  }
  if (
    badSet.errors.includes('check') &&
    !badSet.status.some((s) => s === '2xx' || (typeof s === 'number' && s < 300))
  ) {
    bad += summary.errorsByKind.check;
  }
  return { bad, events: Math.max(events, bad) };
}

/** Every summary in the file, for the document-wide question of whether statuses were counted. */
function summariesOf(file: LoadResultsFile): Summary[] {
  const { results } = file;
  return [
    results.totals,
    ...Object.values(results.byStep),
    ...Object.values(results.bySegment),
    ...Object.values(results.bySegmentStep).flatMap((steps) => Object.values(steps)),
  ];
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

/** One line per availability SLO definition: what it counts as bad, and where that came from. */
function countingNotes(slos: readonly Slo[]): string[] {
  const lines = new Map<string, string>();
  for (const slo of slos) {
    const sli = slo.loadResults;
    if (sli.kind !== 'availability' || sli.counting.kind !== 'outcomes') continue;
    const from = sli.counting.origin === 'derived' ? 'read from its error query' : 'its loadResults.bad';
    lines.set(
      `${slo.service}/${slo.baseName}`,
      `${slo.service}/${slo.baseName} counts ${describeOutcomes(sli.counting.bad)} as bad (${from}).`,
    );
  }
  return [...lines.values()];
}
