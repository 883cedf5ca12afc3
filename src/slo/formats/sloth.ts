import * as z from 'zod';
import type { Finding } from '../../core/errors.js';
import { zodIssuesToFindings, type YamlDocument } from '../../core/yaml-source.js';
import type { AlertTier, Sli, Slo, TierName } from '../model.js';
import { substituteWindow, windowPlaceholder } from '../promql.js';
import { schemaVocabulary } from '../schema-vocabulary.js';
import { defaultTier } from '../defaults.js';
import type { SourceLocation } from '../../core/errors.js';
import { deriveCounting } from '../load-counting.js';
import type { SpecFormatLoader, SpecLoadOptions, SpecLoadOutcome } from './format.js';
import { checkQuery } from './rules.js';

/**
 * Sloth's `prometheus/v1` spec (slok/sloth pkg/prometheus/api/v1/v1.go), so teams can bring their
 * Sloth files as they are. Objects are strict: a misspelled key is a finding, where Sloth's YAML
 * decoding would drop it silently.
 */
const slothName = /^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$/;
const nameMessage =
  "must start and end with a letter or digit and hold only letters, digits, '.', '_' and '-'";
const labelMap = z.record(z.string(), z.string());

const alertSchema = z.strictObject({
  disable: z.boolean().optional(),
  labels: labelMap.optional(),
  annotations: labelMap.optional(),
});

const sloSchema = z.strictObject({
  name: z.string().regex(slothName, `SLO name ${nameMessage}`),
  objective: z
    .number()
    .gt(0, 'objective must be above 0')
    .lt(100, 'objective must be below 100 (a percentage such as 99.9)'),
  description: z.string().optional(),
  labels: labelMap.optional(),
  sli: z.strictObject({
    events: z.strictObject({ error_query: z.string().min(1), total_query: z.string().min(1) }).optional(),
    raw: z.strictObject({ error_ratio_query: z.string().min(1) }).optional(),
    plugin: z.unknown().optional(),
  }),
  alerting: z.strictObject({
    name: z.string().optional(),
    labels: labelMap.optional(),
    annotations: labelMap.optional(),
    page_alert: alertSchema.optional(),
    ticket_alert: alertSchema.optional(),
  }),
});

const specSchema = z.strictObject({
  version: z.literal('prometheus/v1'),
  service: z.string().regex(slothName, `service ${nameMessage}`),
  labels: labelMap.optional(),
  slos: z.array(sloSchema).min(1, 'at least one SLO is required'),
});

type SlothSpec = z.infer<typeof specSchema>;
type SlothSlo = z.infer<typeof sloSchema>;
type SlothAlert = z.infer<typeof alertSchema>;

export const slothLoader: SpecFormatLoader = {
  apiVersions: ['prometheus/v1'],
  load(doc: YamlDocument, options: SpecLoadOptions): SpecLoadOutcome {
    const parsed = specSchema.safeParse(doc.value);
    if (!parsed.success)
      return {
        slos: [],
        findings: zodIssuesToFindings(doc, parsed.error.issues, schemaVocabulary(specSchema)),
      };
    const findings = [
      ...checkSpec(parsed.data).map(({ path, key, message }) => ({
        location: key === undefined ? doc.locate(path) : doc.locateKey(path, key),
        message,
      })),
      ...checkQueries(doc, parsed.data),
    ];
    if (findings.length > 0) return { slos: [], findings };
    return {
      slos: parsed.data.slos.map((slo, i) =>
        toSlo(parsed.data, slo, doc.locate(['slos', i, 'sli']), options),
      ),
      findings: [],
    };
  },
};

interface PathFinding {
  readonly path: readonly PropertyKey[];
  /** Points at this key of the map at `path` rather than at the value. */
  readonly key?: string;
  readonly message: string;
}

const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Rules across fields, after the shape is known to be right; every finding, not the first. */
function checkSpec(spec: SlothSpec): PathFinding[] {
  const findings: PathFinding[] = [...checkLabelNames(spec.labels, ['labels'])];
  const seen = new Set<string>();
  spec.slos.forEach((slo, index) => {
    const at = (...rest: PropertyKey[]): PropertyKey[] => ['slos', index, ...rest];
    if (seen.has(slo.name)) findings.push({ path: at('name'), message: `duplicate SLO name "${slo.name}"` });
    seen.add(slo.name);
    findings.push(...checkSli(slo, at('sli')), ...checkLabelNames(slo.labels, at('labels')));
    const { alerting } = slo;
    const enabled = !alerting.page_alert?.disable || !alerting.ticket_alert?.disable;
    if (enabled && !alerting.name) {
      findings.push({
        path: at('alerting'),
        message: 'alerting.name is required unless both page_alert and ticket_alert are disabled',
      });
    }
    findings.push(...checkLabelNames(alerting.labels, at('alerting', 'labels')));
    findings.push(...checkLabelNames(alerting.annotations, at('alerting', 'annotations')));
    for (const tier of ['page_alert', 'ticket_alert'] as const) {
      findings.push(...checkLabelNames(alerting[tier]?.labels, at('alerting', tier, 'labels')));
      findings.push(...checkLabelNames(alerting[tier]?.annotations, at('alerting', tier, 'annotations')));
    }
  });
  return findings;
}

function checkSli(slo: SlothSlo, at: readonly PropertyKey[]): PathFinding[] {
  const { sli } = slo;
  if (sli.plugin !== undefined) {
    return [
      {
        path: at,
        key: 'plugin',
        message: 'SLI plugins are not supported: write the plugin query as sli.events or sli.raw',
      },
    ];
  }
  if ([sli.events, sli.raw].filter((kind) => kind !== undefined).length !== 1) {
    return [{ path: at, message: 'the SLI needs exactly one of "events" or "raw"' }];
  }
  if (sli.events && sli.events.error_query === sli.events.total_query) {
    return [{ path: [...at, 'events'], message: 'error_query and total_query must differ' }];
  }
  return [];
}

/** The window placeholder and PromQL syntax of every query, located inside the query text. */
function checkQueries(doc: YamlDocument, spec: SlothSpec): Finding[] {
  return spec.slos.flatMap(({ sli }, index) => {
    const at = ['slos', index, 'sli'];
    const queries: [string[], string | undefined][] = [
      [['events', 'error_query'], sli.events?.error_query],
      [['events', 'total_query'], sli.events?.total_query],
      [['raw', 'error_ratio_query'], sli.raw?.error_ratio_query],
    ];
    return queries.flatMap(([path, query]) =>
      query === undefined ? [] : checkQuery(doc, [...at, ...path], query),
    );
  });
}

function checkLabelNames(
  labels: Record<string, string> | undefined,
  at: readonly PropertyKey[],
): PathFinding[] {
  return Object.keys(labels ?? {})
    .filter((key) => !labelNamePattern.test(key))
    .map((key) => ({ path: at, key, message: `"${key}" is not a valid Prometheus label name` }));
}

function toSlo(spec: SlothSpec, slo: SlothSlo, sliAt: SourceLocation, options: SpecLoadOptions): Slo {
  const sli = toSli(slo.sli);
  const alerting = slo.alerting;
  const tier = (name: TierName, alert: SlothAlert | undefined): AlertTier =>
    defaultTier(name, {
      enabled: !alert?.disable,
      labels: alert?.labels ?? {},
      annotations: alert?.annotations ?? {},
    });
  return {
    id: `${spec.service}-${slo.name}`,
    service: spec.service,
    name: slo.name,
    baseName: slo.name,
    description: slo.description ?? '',
    objective: slo.objective,
    periodMs: options.defaultPeriodMs,
    sli,
    labels: { ...spec.labels, ...slo.labels },
    alerting: {
      name: alerting.name ?? '',
      labels: alerting.labels ?? {},
      annotations: alerting.annotations ?? {},
      tiers: [tier('page', alerting.page_alert), tier('ticket', alerting.ticket_alert)],
    },
    loadResults: { steps: [], kind: 'availability', counting: deriveCounting(sli, sliAt) },
    source: { format: 'prometheus/v1', file: sliAt.file },
  };
}

/** Normalizes `{{ .window }}` spellings to the model's `{{.window}}`. */
function toSli(sli: SlothSlo['sli']): Sli {
  const normalize = (query: string): string => substituteWindow(query, windowPlaceholder);
  if (sli.events) {
    return {
      kind: 'events',
      errorQuery: normalize(sli.events.error_query),
      totalQuery: normalize(sli.events.total_query),
    };
  }
  return { kind: 'raw', errorRatioQuery: normalize(sli.raw?.error_ratio_query ?? '') };
}
