import * as z from 'zod';
import { formatDuration, parseDuration } from '../../core/duration.js';
import { EnvironmentError } from '../../core/errors.js';
import type { Slo } from '../../slo/model.js';
import { labelName } from '../../slo/rules/conventions.js';
import { alertWindowsOf } from '../../slo/windows.js';
import { activeTargets, getAnswer, type PrometheusApi } from './prometheus-api.js';

/** What the game day learns about a Prometheus it did not start (`gameday run --prometheus URL`). */
export interface ExistingPrometheus {
  /** Of the rule groups that hold this game day's rules: the longest, as alert reads need it. */
  readonly evaluationIntervalMs: number;
  /** Of the scrape target that is the store's metrics URL. */
  readonly scrapeIntervalMs: number;
}

const rulesSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        /** Seconds. */
        interval: z.number(),
        rules: z.array(
          z.object({
            type: z.enum(['alerting', 'recording']),
            name: z.string(),
            query: z.string(),
            labels: z.record(z.string(), z.string()).optional(),
          }),
        ),
      }),
    ),
  }),
});

/**
 * A Prometheus the user runs, checked before the game day starts: it must scrape the target's
 * metrics URL and run this game day's rules, the recordings of every SLO's alert windows (as run:
 * scaled by the time scale) and their alerts, or its alert states would be about other rules than
 * the built-in evaluator's, and the two could not be compared.
 */
export async function checkExistingPrometheus(
  api: PrometheusApi,
  options: {
    readonly metricsUrl: string;
    readonly scaledSlos: readonly Slo[];
    readonly timeScale: number;
    /** This run's rules, to name in the message when Prometheus runs others. */
    readonly rulesFile: string;
  },
): Promise<ExistingPrometheus> {
  const targets = await activeTargets(api);
  const wanted = sameUrl(options.metricsUrl);
  const target = targets.find((t) => sameUrl(t.scrapeUrl) === wanted);
  if (!target) {
    const scraped = targets.map((t) => t.scrapeUrl);
    throw new EnvironmentError(
      `Prometheus at ${api.url} does not scrape ${options.metricsUrl} (its targets: ${scraped.join(', ') || 'none'}); add it to a scrape job`,
    );
  }

  const rules = await getAnswer(api, 'api/v1/rules', rulesSchema);
  const problems: string[] = [];
  const intervals: number[] = [];
  for (const slo of options.scaledSlos) {
    // Recordings carry the SLO's id as a label; its alerts name it in their query only.
    const selector = `${labelName.id}="${slo.id}"`;
    const ofSlo = (r: { labels?: Record<string, string> | undefined; query: string }): boolean =>
      r.labels?.[labelName.id] === slo.id || r.query.includes(selector);
    const holding = rules.data.groups.filter((g) => g.rules.some(ofSlo));
    intervals.push(...holding.map((g) => g.interval * 1000));
    const recorded = new Set(
      holding.flatMap((g) =>
        g.rules
          .filter((r) => r.type === 'recording' && r.labels?.[labelName.id] === slo.id)
          .map((r) => parseDuration(r.labels?.[labelName.window] ?? '')),
      ),
    );
    const missing = alertWindowsOf(slo.alerting.tiers).filter((w) => !recorded.has(w));
    const alerting = holding.some((g) =>
      g.rules.some((r) => r.type === 'alerting' && r.name === slo.alerting.name && ofSlo(r)),
    );
    if (holding.length === 0) problems.push(`no rule of SLO ${slo.id}`);
    else if (missing.length > 0)
      problems.push(
        `SLO ${slo.id} has no recording for the window(s) ${missing.map(formatDuration).join(', ')}`,
      );
    else if (!alerting) problems.push(`SLO ${slo.id} has no alert ${slo.alerting.name}`);
  }
  if (problems.length > 0) {
    const scaled = options.timeScale === 1 ? '' : ` at time scale ${options.timeScale}`;
    throw new EnvironmentError(
      `Prometheus at ${api.url} does not run this game day's rules${scaled}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}. Load ${options.rulesFile} into it (rule_files, then reload)${options.timeScale === 1 ? '' : ', or run with --time-scale 1 against the rules you deploy'}`,
    );
  }
  const scrapeIntervalMs = parseDuration(target.scrapeInterval ?? '') ?? undefined;
  const evaluationIntervalMs = Math.max(...intervals);
  return {
    evaluationIntervalMs,
    scrapeIntervalMs: scrapeIntervalMs && scrapeIntervalMs > 0 ? scrapeIntervalMs : evaluationIntervalMs,
  };
}

/** `http://localhost:80/metrics` and `http://localhost/metrics/` are one target. */
function sameUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}${url.search}`;
  } catch {
    return text;
  }
}
