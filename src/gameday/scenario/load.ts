import { basename, extname } from 'node:path';
import type { FaultSpec } from '../../chaos/catalogue.js';
import { resolveFaultSpec } from '../../chaos/fault-spec.js';
import { parseDuration, formatDuration } from '../../core/duration.js';
import { InputError, ShopsreError, type Finding, type SourceLocation } from '../../core/errors.js';
import { seededRandom } from '../../core/rng.js';
import { parseSingleYamlDocument, zodIssuesToFindings, type YamlDocument } from '../../core/yaml-source.js';
import { schemaVocabulary } from '../../slo/schema-vocabulary.js';
import { scenarioDocumentSchema, type ScenarioDocument } from './schema.js';
import type { PlannedFault, Scenario } from './scenario.js';

/**
 * Reads a scenario file into the domain `Scenario`: shape first (zod), then the rules that span
 * fields (faults inside the inject phase, parameters within the catalogue's bounds, the random
 * schedule's durations). Every finding of the file is reported, each as file:line:col.
 */
export function parseScenario(file: string, text: string): Scenario {
  const doc = parseSingleYamlDocument(file, text, 'GameDay');
  const parsed = scenarioDocumentSchema.safeParse(doc.value);
  if (!parsed.success) {
    throw new InputError(
      zodIssuesToFindings(doc, parsed.error.issues, schemaVocabulary(scenarioDocumentSchema)),
    );
  }
  const findings: Finding[] = [];
  const scenario = toScenario(file, doc, parsed.data, findings);
  if (findings.length > 0) throw new InputError(sortFindings(findings));
  return scenario;
}

const ms = (text: string): number => parseDuration(text) ?? 0;

export const gameDaySegmentMix = { guest: 50, member: 35, vip: 15 } as const;
export const gameDayFunnel = { browse: 1, addToCart: 1, checkout: 8 } as const;

function toScenario(file: string, doc: YamlDocument, input: ScenarioDocument, findings: Finding[]): Scenario {
  const at = (path: readonly PropertyKey[]): SourceLocation => doc.locate(path);
  const embedded = 'embedded' in input.target;
  const injectMs = ms(input.phases.inject.duration);
  const seed = input.seed;

  const faults: PlannedFault[] = [];
  input.phases.inject.faults.forEach((planned, i) => {
    const path = ['phases', 'inject', 'faults', i];
    const offsetMs = planned.at === '0s' ? 0 : ms(planned.at);
    const spec = faultSpecOrFinding(
      planned.fault,
      planned.params,
      ms(planned.for),
      (field) => at([...path, field]),
      findings,
    );
    if (!spec) return;
    if (offsetMs + spec.durationMs > injectMs) {
      findings.push({
        location: at([...path, 'for']),
        message:
          `${planned.fault} runs from ${formatDuration(offsetMs)} for ${formatDuration(spec.durationMs)}, past ` +
          `the end of the inject phase (${formatDuration(injectMs)}): shorten it or lengthen phases.inject.duration`,
      });
      return;
    }
    faults.push({ spec, offsetMs, origin: 'planned' });
  });

  const random = input.phases.inject.random;
  if (random) {
    const path = ['phases', 'inject', 'random'];
    const minMs = ms(random.minDuration);
    const maxMs = ms(random.maxDuration);
    if (minMs > maxMs) {
      findings.push({
        location: at([...path, 'minDuration']),
        message: 'minDuration is longer than maxDuration',
      });
    } else if (maxMs > injectMs) {
      findings.push({
        location: at([...path, 'maxDuration']),
        message: `maxDuration ${random.maxDuration} is longer than the inject phase (${input.phases.inject.duration})`,
      });
    } else {
      random.from.forEach((choice, i) => {
        faultSpecOrFinding(
          choice.fault,
          choice.params,
          minMs,
          (field) => at([...path, 'from', i, field]),
          findings,
        );
      });
      if (findings.length === 0) {
        faults.push(...randomSchedule(random, { seed: random.seed ?? seed, injectMs, minMs, maxMs }));
      }
    }
  }
  // A load-only game day (a flash sale) needs no fault proxies; one with faults on your own stack does.
  if (!('embedded' in input.target) && input.target.chaosUrl === undefined && (faults.length > 0 || random)) {
    findings.push({
      location: at(['target', 'storeUrl']),
      message:
        'faults on a target of your own go through fault proxies: run `shopsre chaos proxy` between the store ' +
        'and its dependencies and name its control API as target.chaosUrl (e.g. http://127.0.0.1:8474)',
    });
  }

  input.steadyState.forEach((check, i) => {
    if (check.kind === 'burn-rate' && ms(check.window) === 0) {
      findings.push({ location: at(['steadyState', i, 'window']), message: 'window must be longer than 0' });
    }
  });

  const name = input.name ?? basename(file, extname(file));
  return {
    name,
    file,
    title: input.title,
    description: input.description,
    hypothesis: input.hypothesis,
    roles: {
      incidentCommander: input.roles.incidentCommander,
      scribe: input.roles.scribe,
      observers: input.roles.observers,
    },
    target: targetOf(input.target),
    slos: input.slos,
    load: {
      preset: input.load.preset,
      rate: input.load.rate,
      // A game day watches checkouts per segment: most journeys check out, and VIPs are frequent
      // enough that their SLOs see events every second (the load generator's everyday funnel is 8:1:1).
      segmentMix: input.load.segmentMix ?? gameDaySegmentMix,
      funnel: input.load.funnel ?? gameDayFunnel,
      maxInFlight: input.load.maxInFlight,
      requestTimeoutMs: input.load.requestTimeout === undefined ? undefined : ms(input.load.requestTimeout),
    },
    seed,
    timeScale: input.timeScale ?? (embedded ? 60 : 1),
    phases: {
      warmupMs: ms(input.phases.warmup),
      baselineMs: ms(input.phases.baseline),
      injectMs,
      recoverTimeoutMs: ms(input.phases.recover.timeout),
      recoverHoldMs: ms(input.phases.recover.hold),
    },
    faults: faults.sort((a, b) => a.offsetMs - b.offsetMs || a.spec.fault.localeCompare(b.spec.fault)),
    steadyState: input.steadyState.map((check) =>
      check.kind === 'burn-rate'
        ? {
            kind: 'burn-rate',
            slo: check.slo,
            below: check.below,
            windowMs: ms(check.window),
            segments: check.segments,
          }
        : check.kind === 'checkout-success'
          ? {
              kind: 'checkout-success',
              minRatio: check.minPercent / 100,
              segments: check.segments,
              windowMs: ms(check.window),
            }
          : { kind: 'p95-latency', maxMs: check.maxMs, segments: check.segments, windowMs: ms(check.window) },
    ),
    expectations: input.expectations.map((e, i) => {
      const location = at(['expectations', i]);
      switch (e.kind) {
        case 'alert-fires':
          return {
            kind: e.kind,
            alert: e.alert,
            segment: e.segment,
            severity: e.severity,
            withinMs: ms(e.within),
            location,
          };
        case 'alert-silent':
          return { kind: e.kind, alert: e.alert, segment: e.segment, severity: e.severity, location };
        case 'recovered':
          return { kind: e.kind, withinMs: ms(e.within), location };
        case 'invariants-hold':
          return { kind: e.kind, location };
        case 'checkout-success':
          return { kind: e.kind, segment: e.segment, minRatio: e.minPercent / 100, location };
      }
    }),
    stopConditions: input.stopConditions.map((c) =>
      c.kind === 'checkout-success-below'
        ? { kind: c.kind, ratio: c.percent / 100, segment: c.segment, forMs: ms(c.for) }
        : { kind: c.kind, ms: c.ms, segment: c.segment, forMs: ms(c.for) },
    ),
    runbooks: input.runbooks,
    locate: (path) => doc.locate(path),
  };
}

function targetOf(target: ScenarioDocument['target']): Scenario['target'] {
  if ('embedded' in target)
    return { kind: 'embedded', seed: target.embedded.seed, products: target.embedded.products };
  return {
    kind: 'external',
    storeUrl: target.storeUrl,
    metricsUrl: target.metricsUrl,
    chaosUrl: target.chaosUrl,
  };
}

function faultSpecOrFinding(
  fault: string,
  params: Readonly<Record<string, string | number>>,
  durationMs: number,
  locate: (field: 'fault' | 'for' | 'params') => SourceLocation,
  findings: Finding[],
): FaultSpec | undefined {
  try {
    return resolveFaultSpec(fault, params, durationMs);
  } catch (error) {
    if (!(error instanceof ShopsreError)) throw error;
    // The catalogue's messages speak of flags (`--for`, `--param`); in a scenario they are fields.
    const field = error.message.startsWith('--for') ? 'for' : 'params';
    const message = error.message.replace(/^--for /, 'for: ').replace(/--param /g, 'params.');
    findings.push({ location: locate(field), message });
    return undefined;
  }
}

/**
 * A chaos monkey's schedule, drawn once from the seed: `count` faults from the list, each with a
 * duration between the bounds and a start anywhere it still ends inside the inject phase. Draws go
 * in a fixed order from one seeded stream, so the same seed gives the same schedule everywhere.
 */
export function randomSchedule(
  random: {
    readonly from: readonly {
      readonly fault: string;
      readonly params: Readonly<Record<string, string | number>>;
    }[];
    readonly count: number;
  },
  options: {
    readonly seed: number;
    readonly injectMs: number;
    readonly minMs: number;
    readonly maxMs: number;
  },
): PlannedFault[] {
  const rng = seededRandom(options.seed, 0x6d6f6e6b); // "monk"
  const seconds = (msValue: number): number => Math.floor(msValue / 1000);
  const planned: PlannedFault[] = [];
  for (let i = 0; i < random.count; i++) {
    const choice = random.from[Math.floor(rng.next() * random.from.length)] ?? random.from[0];
    if (!choice) break;
    // Whole seconds: a schedule is read by people, and the runner samples once a second.
    const spanS = seconds(options.maxMs) - seconds(options.minMs);
    const durationMs = (seconds(options.minMs) + Math.floor(rng.next() * (spanS + 1))) * 1000;
    const latestStartS = seconds(options.injectMs - durationMs);
    const offsetMs = Math.floor(rng.next() * (latestStartS + 1)) * 1000;
    planned.push({
      spec: resolveFaultSpec(choice.fault, choice.params, durationMs),
      offsetMs,
      origin: 'random',
    });
  }
  return planned;
}

function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.location.line - b.location.line || a.location.col - b.location.col);
}
