import * as z from 'zod';
import { EnvironmentError, InputError } from '../core/errors.js';
import { parseSingleYamlDocument, zodIssuesToFindings } from '../core/yaml-source.js';

/** An alert that is firing now, as Alertmanager or Prometheus reports it. */
export interface FiringAlert {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** When it started firing (or became active), as the source wrote it. */
  readonly since?: string;
}

const labelSet = z.record(z.string(), z.string());

/** Alertmanager's webhook payload (version 4): only the fields a runbook needs; others pass. */
const webhookSchema = z.looseObject({
  alerts: z.array(
    z.looseObject({
      status: z.enum(['firing', 'resolved']),
      labels: labelSet.refine((labels) => Boolean(labels.alertname), 'an alert needs an "alertname" label'),
      annotations: labelSet.default({}),
      startsAt: z.string().optional(),
    }),
  ),
});

const alertmanagerAlerts = z.array(
  z.looseObject({
    labels: labelSet,
    annotations: labelSet.default({}),
    startsAt: z.string().optional(),
    status: z.looseObject({ state: z.string() }).optional(),
  }),
);

const prometheusAlerts = z.looseObject({
  status: z.literal('success'),
  data: z.looseObject({
    alerts: z.array(
      z.looseObject({
        labels: labelSet,
        annotations: labelSet.default({}),
        state: z.string(),
        activeAt: z.string().optional(),
      }),
    ),
  }),
});

/** The firing alerts of an Alertmanager webhook payload (a file `runbook run --alert-file` reads). */
export function webhookAlerts(file: string, text: string): FiringAlert[] {
  const doc = parseSingleYamlDocument(file, text, 'Alertmanager webhook payload');
  const parsed = webhookSchema.safeParse(doc.value);
  if (!parsed.success) throw new InputError(zodIssuesToFindings(doc, parsed.error.issues));
  return parsed.data.alerts
    .filter((alert) => alert.status === 'firing')
    .map((alert) => firing(alert.labels, alert.annotations, alert.startsAt));
}

export type AlertSource = { readonly kind: 'alertmanager' | 'prometheus'; readonly url: string };
export type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

/**
 * The alerts firing now: Alertmanager's `/api/v2/alerts` (active, neither silenced nor inhibited), or
 * Prometheus' own `/api/v1/alerts` (state firing; pending ones have not paged anyone yet).
 */
export async function fetchFiringAlerts(source: AlertSource, fetchImpl: Fetch): Promise<FiringAlert[]> {
  const base = source.url.replace(/\/+$/, '');
  const url =
    source.kind === 'alertmanager'
      ? `${base}/api/v2/alerts?active=true&silenced=false&inhibited=false`
      : `${base}/api/v1/alerts`;
  let body: unknown;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new EnvironmentError(`cannot read the firing alerts from ${url}: ${(error as Error).message}`);
  }
  if (source.kind === 'alertmanager') {
    const parsed = alertmanagerAlerts.safeParse(body);
    if (!parsed.success) throw new EnvironmentError(`${url}: not an Alertmanager alert list`);
    return parsed.data
      .filter((alert) => (alert.status?.state ?? 'active') === 'active' && alert.labels.alertname)
      .map((alert) => firing(alert.labels, alert.annotations, alert.startsAt));
  }
  const parsed = prometheusAlerts.safeParse(body);
  if (!parsed.success) throw new EnvironmentError(`${url}: not a Prometheus alerts answer`);
  return parsed.data.data.alerts
    .filter((alert) => alert.state === 'firing' && alert.labels.alertname)
    .map((alert) => firing(alert.labels, alert.annotations, alert.activeAt));
}

function firing(
  labels: Record<string, string>,
  annotations: Record<string, string>,
  since: string | undefined,
): FiringAlert {
  return { name: labels.alertname ?? '', labels, annotations, ...(since ? { since } : {}) };
}
