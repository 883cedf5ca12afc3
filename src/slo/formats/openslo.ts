import * as z from 'zod';
import type { Finding } from '../../core/errors.js';
import { subDocument, zodIssuesToFindings, type YamlDocument } from '../../core/yaml-source.js';
import type { Sli, Slo } from '../model.js';
import { schemaVocabulary } from '../schema-vocabulary.js';
import { defaultAlertName, defaultTier } from '../defaults.js';
import { deriveCounting } from '../load-counting.js';
import type { SpecFormatLoader, SpecLoadOutcome } from './format.js';
import { checkQuery } from './rules.js';

/**
 * OpenSLO v1 import (https://github.com/OpenSLO/OpenSLO, README at HEAD is the authority). Only what
 * maps onto Prometheus burn-rate rules is accepted: Prometheus metric sources, ratio metrics
 * (good/total, bad/total, raw), rolling windows, the Occurrences budgeting method. Anything else is a
 * finding that says so, rather than rules that silently mean something else.
 */

const metricSource = z
  .object({
    metricSource: z
      .object({
        type: z.string(),
        metricSourceRef: z.string().optional(),
        // Other sources (Datadog, AppDynamics...) have their own spec fields; Prometheus needs `query`.
        spec: z.object({ query: z.string().optional() }).loose(),
      })
      .loose(),
  })
  .loose();

const ratioMetric = z
  .object({
    counter: z.boolean().optional(),
    good: metricSource.optional(),
    bad: metricSource.optional(),
    total: metricSource.optional(),
    raw: metricSource.optional(),
    rawType: z.enum(['success', 'failure']).optional(),
  })
  .loose();

const sliSpec = z
  .object({
    description: z.string().optional(),
    ratioMetric: ratioMetric.optional(),
    thresholdMetric: z.unknown().optional(),
  })
  .loose();

const metadata = z
  .object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'expected a DNS-1123 name'),
    displayName: z.string().optional(),
    labels: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  })
  .loose();

/** OpenSLO duration shorthand; months, quarters and years become 30, 90 and 365 days for rolling windows. */
const shorthand = z
  .string()
  .regex(/^[1-9][0-9]*[mhdwMQY]$/, 'expected a duration shorthand such as 28d or 1M');

const sloSpec = z
  .object({
    description: z.string().optional(),
    service: z.string(),
    indicator: z.object({ metadata, spec: sliSpec }).loose().optional(),
    indicatorRef: z.string().optional(),
    timeWindow: z
      .array(z.object({ duration: shorthand, isRolling: z.boolean().optional() }).loose())
      .optional(),
    budgetingMethod: z.string(),
    objectives: z
      .array(
        z
          .object({
            displayName: z.string().optional(),
            target: z.number().gt(0).lt(1).optional(),
            targetPercent: z.number().gt(0).lt(100).optional(),
          })
          .loose(),
      )
      .min(1),
  })
  .loose();

const openSloDocumentSchema = z
  .object({ apiVersion: z.literal('openslo/v1'), kind: z.literal('SLO'), metadata, spec: sloSpec })
  .loose();

const openSloIndicatorSchema = z
  .object({ apiVersion: z.literal('openslo/v1'), kind: z.literal('SLI'), metadata, spec: sliSpec })
  .loose();

const shorthandUnitMs: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  Q: 90 * 86_400_000,
  Y: 365 * 86_400_000,
};

export const openSloLoader: SpecFormatLoader = {
  apiVersions: ['openslo/v1'],
  load(doc, options): SpecLoadOutcome {
    const kind = (doc.value as { kind?: unknown }).kind;
    if (kind === 'SLI') {
      // Read by reference from SLOs; checked here so a broken SLI is reported even when unused.
      const sli = openSloIndicatorSchema.safeParse(doc.value);
      return { slos: [], findings: sli.success ? [] : zodIssuesToFindings(doc, sli.error.issues) };
    }
    // Service, AlertPolicy, DataSource documents carry nothing to generate.
    if (kind !== 'SLO') return { slos: [], findings: [] };
    const parsed = openSloDocumentSchema.safeParse(doc.value);
    if (!parsed.success) {
      return {
        slos: [],
        findings: zodIssuesToFindings(doc, parsed.error.issues, schemaVocabulary(openSloDocumentSchema)),
      };
    }
    const { metadata: meta, spec } = parsed.data;
    const findings: Finding[] = [];
    const at = (...path: (string | number)[]) => doc.locate(['spec', ...path]);

    if (spec.budgetingMethod !== 'Occurrences') {
      findings.push({
        location: at('budgetingMethod'),
        message: `budgetingMethod ${spec.budgetingMethod} is not supported: burn-rate rules need Occurrences`,
      });
    }
    const window = spec.timeWindow?.[0];
    if (window?.isRolling === false) {
      findings.push({
        location: at('timeWindow', 0),
        message: 'calendar time windows are not supported: use isRolling: true',
      });
    }
    const periodMs = window
      ? Number(window.duration.slice(0, -1)) * (shorthandUnitMs[window.duration.slice(-1)] ?? 0)
      : options.defaultPeriodMs;

    const indicator = resolveIndicator(doc, spec, options.indicators);
    findings.push(...indicator.findings);
    if (findings.length > 0 || !indicator.sli) return { slos: [], findings };
    const sli = indicator.sli;

    const slos = spec.objectives.map((objective, index): Slo | undefined => {
      const percent =
        objective.targetPercent ??
        (objective.target !== undefined ? roundPercent(objective.target * 100) : undefined);
      if (percent === undefined) {
        findings.push({
          location: at('objectives', index),
          message: 'objective needs target (0..1) or targetPercent',
        });
        return undefined;
      }
      const name = spec.objectives.length > 1 ? `${meta.name}-${index}` : meta.name;
      return {
        id: `${spec.service}-${name}`,
        service: spec.service,
        name,
        baseName: name,
        description: spec.description ?? '',
        objective: percent,
        periodMs,
        sli,
        labels: flattenLabels(meta.labels),
        alerting: {
          name: defaultAlertName(meta.name),
          labels: {},
          annotations: {},
          tiers: [defaultTier('page'), defaultTier('ticket')],
        },
        loadResults: { steps: [], kind: 'availability', counting: deriveCounting(sli, doc.locate(['spec'])) },
        source: { format: 'openslo/v1', file: doc.file },
      };
    });
    return findings.length > 0
      ? { slos: [], findings }
      : { slos: slos.filter((s): s is Slo => s !== undefined), findings };
  },
};

function resolveIndicator(
  doc: YamlDocument,
  spec: z.infer<typeof sloSpec>,
  indicators: ReadonlyMap<string, { doc: YamlDocument; spec: unknown }> = new Map(),
): { sli?: Sli; findings: Finding[] } {
  if (spec.indicator)
    return toSli(subDocument(doc, ['spec', 'indicator', 'spec'], spec.indicator.spec), spec.indicator.spec);
  if (spec.indicatorRef) {
    const ref = indicators.get(spec.indicatorRef);
    if (!ref) {
      return {
        findings: [
          {
            location: doc.locate(['spec', 'indicatorRef']),
            message: `no SLI named "${spec.indicatorRef}" in the input files`,
          },
        ],
      };
    }
    const parsed = sliSpec.safeParse(ref.spec);
    if (!parsed.success) return { findings: zodIssuesToFindings(ref.doc, parsed.error.issues) };
    return toSli(ref.doc, parsed.data);
  }
  return { findings: [{ location: doc.locate(['spec']), message: 'SLO needs indicator or indicatorRef' }] };
}

/** `doc` is positioned on the SLI spec, so paths below are relative to it. */
function toSli(doc: YamlDocument, spec: z.infer<typeof sliSpec>): { sli?: Sli; findings: Finding[] } {
  const ratio = spec.ratioMetric;
  if (!ratio) {
    return {
      findings: [
        {
          location: doc.locate([]),
          message: 'only ratioMetric SLIs map to burn-rate rules (thresholdMetric is not supported)',
        },
      ],
    };
  }
  const findings: Finding[] = [];
  const query = (field: 'good' | 'bad' | 'total' | 'raw'): string | undefined => {
    const source = ratio[field]?.metricSource;
    if (!source) return undefined;
    if (source.type.toLowerCase() !== 'prometheus') {
      findings.push({
        location: doc.locate(['ratioMetric', field, 'metricSource', 'type']),
        message: `metric source type ${source.type} is not supported: use Prometheus`,
      });
      return undefined;
    }
    const text = source.spec.query;
    if (text === undefined) {
      findings.push({
        location: doc.locate(['ratioMetric', field, 'metricSource', 'spec']),
        message: 'a Prometheus metric source needs spec.query',
      });
      return undefined;
    }
    findings.push(...checkQuery(doc, ['ratioMetric', field, 'metricSource', 'spec', 'query'], text));
    return text;
  };
  const [good, bad, total, raw] = [query('good'), query('bad'), query('total'), query('raw')];
  if (findings.length > 0) return { findings };
  if (raw !== undefined) {
    const errorRatioQuery = ratio.rawType === 'success' ? `1 - (${raw.trim()})` : raw;
    return { sli: { kind: 'raw', errorRatioQuery }, findings };
  }
  if (total !== undefined && bad !== undefined)
    return { sli: { kind: 'events', errorQuery: bad, totalQuery: total }, findings };
  if (total !== undefined && good !== undefined) {
    // Bad events are the total minus the good ones; keeps the event count for the min-events guard.
    return {
      sli: { kind: 'events', errorQuery: `(${total.trim()}) - (${good.trim()})`, totalQuery: total },
      findings,
    };
  }
  return {
    findings: [
      { location: doc.locate(['ratioMetric']), message: 'ratioMetric needs total with good or bad, or raw' },
    ],
  };
}

function flattenLabels(labels: Record<string, string | string[]> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) out[key] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

function roundPercent(value: number): number {
  return Number(value.toPrecision(12));
}
