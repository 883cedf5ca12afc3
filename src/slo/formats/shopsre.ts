import type { Finding } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import { zodIssuesToFindings, type YamlDocument } from '../../core/yaml-source.js';
import type { SourceLocation } from '../../core/errors.js';
import { deriveCounting } from '../load-counting.js';
import type { AlertTier, BurnWindow, LoadCounting, Sli, Slo, TierName } from '../model.js';
import { injectMatcher } from '../promql.js';
import { shopsreDocumentSchema, type ShopsreDocument, type SloEntry, type TierSpec } from '../schema.js';
import { schemaVocabulary } from '../schema-vocabulary.js';
import { defaultAlertName } from '../defaults.js';
import { defaultWindows } from '../windows.js';
import type { SpecFormatLoader, SpecLoadOptions, SpecLoadOutcome } from './format.js';
import { checkSliQueries, checkWindows } from './rules.js';

export const shopsreLoader: SpecFormatLoader = {
  apiVersions: ['shopsre/v1'],
  load(doc, options): SpecLoadOutcome {
    const parsed = shopsreDocumentSchema.safeParse(doc.value);
    if (!parsed.success) {
      return {
        slos: [],
        findings: zodIssuesToFindings(doc, parsed.error.issues, schemaVocabulary(shopsreDocumentSchema)),
      };
    }
    const spec = parsed.data;
    const entries: { entry: SloEntry; path: (string | number)[] }[] =
      spec.kind === 'SLOList'
        ? spec.slos.map((entry, i) => ({ entry, path: ['slos', i] }))
        : [{ entry: spec, path: [] }];
    const findings: Finding[] = [];
    const slos: Slo[] = [];
    const seen = new Map<string, number>();
    for (const { entry, path } of entries) {
      const where = (...rest: (string | number)[]) => doc.locate([...path, ...rest]);
      const first = seen.get(entry.name);
      if (first !== undefined) {
        findings.push({
          location: where('name'),
          message: `duplicate SLO name "${entry.name}" (first defined at slos[${first}])`,
        });
        continue;
      }
      seen.set(entry.name, typeof path[1] === 'number' ? path[1] : 0);
      const entryFindings = checkEntry(doc, spec, entry, path);
      findings.push(...entryFindings);
      if (entryFindings.length === 0) slos.push(...expandEntry(doc, spec, entry, path, options));
    }
    return { slos: findings.length > 0 ? [] : slos, findings };
  },
};

function checkEntry(
  doc: YamlDocument,
  spec: ShopsreDocument,
  entry: SloEntry,
  path: (string | number)[],
): Finding[] {
  const findings: Finding[] = [];
  const at = (...rest: (string | number)[]) => doc.locate([...path, ...rest]);
  const declared = new Set(spec.segments.values);
  const duplicates = spec.segments.values.filter((v, i, all) => all.indexOf(v) !== i);
  for (const value of new Set(duplicates)) {
    findings.push({
      location: doc.locate(['segments', 'values']),
      message: `segment "${value}" is listed twice`,
    });
  }
  const kinds = (['events', 'latency', 'raw'] as const).filter((k) => entry.sli[k] !== undefined);
  if (kinds.length !== 1) {
    findings.push({
      location: at('sli'),
      message:
        kinds.length === 0
          ? 'sli needs one of events, latency or raw'
          : `sli has ${kinds.join(' and ')}: choose exactly one`,
    });
  }
  findings.push(...checkSliQueries(doc, [...path, 'sli'], entry.sli));
  const segmentKeys = (value: unknown): string[] =>
    typeof value === 'object' && value !== null ? Object.keys(value).filter((k) => k !== 'default') : [];
  const overrideChecks: { keys: string[]; where: (string | number)[] }[] = [
    { keys: segmentKeys(entry.objective), where: ['objective'] },
    { keys: segmentKeys(entry.alerting.page?.severity), where: ['alerting', 'page', 'severity'] },
    { keys: segmentKeys(entry.alerting.ticket?.severity), where: ['alerting', 'ticket', 'severity'] },
  ];
  for (const { keys, where } of overrideChecks) {
    for (const key of keys) {
      if (!declared.has(key) || !entry.segmented) {
        findings.push({
          location: doc.locateKey([...path, ...where], key),
          message: entry.segmented
            ? `override for undeclared segment "${key}" (segments: ${spec.segments.values.join(', ')})`
            : `override for segment "${key}" but this SLO is not segmented`,
        });
      }
    }
  }
  findings.push(...checkLoadResults(doc, entry, path));
  if (entry.minEvents !== undefined && entry.sli.raw !== undefined) {
    findings.push({
      location: at('minEvents'),
      message: 'minEvents needs an events or latency SLI (a raw ratio has no event count)',
    });
  }
  const periodMs = parseDuration(entry.period ?? spec.period ?? '30d') ?? 0;
  for (const tierName of ['page', 'ticket'] as const) {
    findings.push(
      ...checkWindows(
        doc,
        [...path, 'alerting', tierName],
        tierWindows(entry.alerting[tierName], tierName),
        periodMs,
      ),
    );
  }
  return findings;
}

function tierWindows(spec: TierSpec | undefined, name: TierName): { quick: BurnWindow; slow: BurnWindow } {
  const toWindow = (w: NonNullable<TierSpec['quick']> | undefined, fallback: BurnWindow): BurnWindow =>
    w
      ? {
          budgetPercent: w.budgetPercent,
          shortWindowMs: parseDuration(w.shortWindow) ?? 0,
          longWindowMs: parseDuration(w.longWindow) ?? 0,
        }
      : fallback;
  return {
    quick: toWindow(spec?.quick, defaultWindows[name].quick),
    slow: toWindow(spec?.slow, defaultWindows[name].slow),
  };
}

function expandEntry(
  doc: YamlDocument,
  spec: ShopsreDocument,
  entry: SloEntry,
  path: (string | number)[],
  options: SpecLoadOptions,
): Slo[] {
  const segments = entry.segmented ? spec.segments.values : [undefined];
  const periodText = entry.period ?? spec.period;
  const periodMs = periodText
    ? (parseDuration(periodText) ?? options.defaultPeriodMs)
    : options.defaultPeriodMs;
  const baseSli = toSli(entry.sli);
  const counting = loadCounting(entry, baseSli, doc.locate([...path, 'sli', sliKindOf(entry)]));
  return segments.map((segment): Slo => {
    const name = segment ? `${entry.name}-${segment}` : entry.name;
    const inject = (q: string) => (segment ? injectMatcher(q, spec.segments.label, segment) : q);
    const sli: Sli =
      baseSli.kind === 'events'
        ? { kind: 'events', errorQuery: inject(baseSli.errorQuery), totalQuery: inject(baseSli.totalQuery) }
        : { kind: 'raw', errorRatioQuery: inject(baseSli.errorRatioQuery) };
    const pick = <T extends string | number>(value: T | ({ default: T } & Record<string, T>)): T =>
      typeof value === 'object' ? ((segment ? value[segment] : undefined) ?? value.default) : value;
    const tier = (tierName: TierName): AlertTier => {
      const tierSpec = entry.alerting[tierName];
      const forMs = tierSpec?.for ? parseDuration(tierSpec.for) : undefined;
      return {
        name: tierName,
        enabled: tierSpec?.enabled ?? true,
        ...tierWindows(tierSpec, tierName),
        ...(forMs !== undefined ? { forMs } : {}),
        severity: pick(tierSpec?.severity ?? tierName),
        labels: tierSpec?.labels ?? {},
        annotations: tierSpec?.annotations ?? {},
      };
    };
    const latency = entry.sli.latency;
    return {
      id: `${spec.service}-${name}`,
      service: spec.service,
      name,
      baseName: entry.name,
      ...(segment ? { segment: { label: spec.segments.label, value: segment } } : {}),
      description: entry.description,
      objective: pick(entry.objective),
      periodMs,
      sli,
      labels: {
        ...spec.labels,
        ...entry.labels,
        ...(segment ? { [spec.segments.label]: segment } : {}),
      },
      alerting: {
        name: entry.alerting.name ?? defaultAlertName(entry.name),
        labels: entry.alerting.labels ?? {},
        annotations: entry.alerting.annotations ?? {},
        ...(entry.alerting.runbook ? { runbookUrl: entry.alerting.runbook } : {}),
        tiers: [tier('page'), tier('ticket')],
      },
      ...(entry.minEvents !== undefined && sli.kind === 'events'
        ? { minEvents: { minEvents: entry.minEvents, totalQuery: sli.totalQuery } }
        : {}),
      loadResults: latency
        ? {
            steps: entry.loadResults?.steps ?? [],
            kind: 'latency',
            latencyThresholdMs: Number(latency.le) * 1000,
          }
        : {
            steps: entry.loadResults?.steps ?? [],
            kind: 'availability',
            counting,
          },
      source: { format: 'shopsre/v1', file: doc.file },
    };
  });
}

/**
 * How a load run counts this SLI: what `loadResults` says, else what the queries say. The derivation
 * runs on the unexpanded SLI: the segment matcher added per segment names no status.
 */
function loadCounting(entry: SloEntry, sli: Sli, location: SourceLocation): LoadCounting {
  const explicit = entry.loadResults;
  const derived = deriveCounting(sli, location);
  if (!explicit?.bad) {
    if (derived.kind === 'unknown' || !explicit?.events) return derived;
    return { ...derived, events: explicit.events };
  }
  const events = explicit.events ?? (derived.kind === 'outcomes' ? derived.events : 'all');
  return { kind: 'outcomes', origin: 'explicit', bad: explicit.bad, events };
}

function sliKindOf(entry: SloEntry): 'events' | 'latency' | 'raw' {
  return entry.sli.events ? 'events' : entry.sli.latency ? 'latency' : 'raw';
}

/**
 * `loadResults` with `bad` on a latency SLI means nothing (slow is bad); and an SLO that names its load
 * steps will be evaluated on results, so a query that cannot say which outcomes are bad needs `bad`.
 */
function checkLoadResults(doc: YamlDocument, entry: SloEntry, path: (string | number)[]): Finding[] {
  const block = entry.loadResults;
  if (!block) return [];
  const at = (...rest: (string | number)[]) => doc.locate([...path, 'loadResults', ...rest]);
  if (entry.sli.latency) {
    return (['bad', 'events'] as const)
      .filter((key) => block[key] !== undefined)
      .map((key) => ({
        location: at(key),
        message: `loadResults.${key} does not apply to a latency SLI: its bad events are the requests slower than le`,
      }));
  }
  const findings: Finding[] = [];
  for (const key of ['bad', 'events'] as const) {
    const set = block[key];
    if (set && set.status.length === 0 && set.errors.length === 0) {
      findings.push({ location: at(key), message: `loadResults.${key} names no status and no error kind` });
    }
  }
  if (block.bad || !(entry.sli.events || entry.sli.raw)) return findings;
  const sli = toSli(entry.sli);
  const derived = deriveCounting(sli, at());
  if (derived.kind === 'unknown') {
    findings.push({
      location: at(),
      message:
        `cannot tell which load-run outcomes are bad: ${derived.reason}; ` +
        'say it with loadResults.bad, e.g. bad: { status: [5xx], errors: [timeout, connection] }',
    });
  }
  return findings;
}

function toSli(spec: SloEntry['sli']): Sli {
  if (spec.events)
    return { kind: 'events', errorQuery: spec.events.errorQuery, totalQuery: spec.events.totalQuery };
  if (spec.latency) {
    // Slow events are all events minus those at or under the threshold bucket.
    const { metric, le, selector } = spec.latency;
    const sel = selector.trim();
    const bucketSel = `${sel}${sel ? ',' : ''}le="${String(le)}"`;
    const total = `sum(rate(${metric}_count{${sel}}[{{.window}}]))`;
    return {
      kind: 'events',
      errorQuery: `(${total} - sum(rate(${metric}_bucket{${bucketSel}}[{{.window}}])))`,
      totalQuery: total,
    };
  }
  if (spec.raw) return { kind: 'raw', errorRatioQuery: spec.raw.errorRatioQuery };
  throw new Error('unreachable: SLI kind checked by checkEntry');
}
