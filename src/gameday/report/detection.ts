import type { Journal, JournalAlert } from '../journal.js';
import { duration } from '../format.js';

type AlertSource = JournalAlert['source'];

/** One alert as one source saw it, measured from the fault it detects. Times are epoch ms. */
export interface DetectionFigures {
  readonly source: AlertSource;
  readonly alert: JournalAlert;
  readonly faultId: string | undefined;
  readonly faultStartMs: number | undefined;
  readonly firstPendingMs: number | undefined;
  readonly firstFiringMs: number | undefined;
  readonly earliestFiringMs: number | undefined;
  /** First firing − fault start, as run. */
  readonly firedAfterMs: number | undefined;
  /** Earliest firing the rule allows − fault start, as run. */
  readonly earliestAfterMs: number | undefined;
  /** First firing − earliest: how much slower than the math allows. */
  readonly delayMs: number | undefined;
  readonly toleranceMs: number;
  /** Fired, later than the earliest firing plus the tolerance. */
  readonly late: boolean;
  /** A bound exists (the measured ratio reached the threshold) yet the alert never fired. */
  readonly missed: boolean;
}

/** One alert (name and segment), with each source's figures side by side: `builtin` first. */
export interface DetectionGroup {
  readonly alertname: string;
  readonly segment: string | undefined;
  readonly slo: string;
  readonly tier: JournalAlert['tier'];
  readonly sources: readonly DetectionFigures[];
}

const sourceOrder: Readonly<Record<AlertSource, number>> = { builtin: 0, prometheus: 1, results: 2 };

/**
 * Detection figures for every alert that fired or should have (it has a bound), grouped by alert and
 * segment. Ordered by the first firing (missed ones last), then by name, so the report reads in the
 * order things happened and the same journal always lists them the same way.
 */
export function detectionGroups(journal: Pick<Journal, 'alerts' | 'faults'>): DetectionGroup[] {
  const groups = new Map<string, JournalAlert[]>();
  for (const alert of journal.alerts) {
    const relevant = alert.firstFiringMs !== undefined || alert.detection?.earliestFiringMs !== undefined;
    if (!relevant) continue;
    const key = JSON.stringify([alert.alertname, alert.segment ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), alert]);
  }
  const result = [...groups.values()].map((alerts): DetectionGroup => {
    const sources = alerts
      .map((alert) => figures(alert, journal.faults))
      .sort((a, b) => sourceOrder[a.source] - sourceOrder[b.source]);
    const [first] = alerts as [JournalAlert, ...JournalAlert[]];
    return { alertname: first.alertname, segment: first.segment, slo: first.slo, tier: first.tier, sources };
  });
  const firing = (group: DetectionGroup): number =>
    Math.min(...group.sources.map((s) => s.firstFiringMs ?? Number.POSITIVE_INFINITY));
  return result.sort(
    (a, b) =>
      firing(a) - firing(b) || compare(a.alertname, b.alertname) || compare(a.segment ?? '', b.segment ?? ''),
  );
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function figures(alert: JournalAlert, faults: Journal['faults']): DetectionFigures {
  const detection = alert.detection;
  // Without a recorded detection, measure from the last fault injected before the alert fired.
  const fallback =
    alert.firstFiringMs === undefined
      ? undefined
      : faults
          .filter((f) => f.injectedAtMs !== undefined && f.injectedAtMs <= (alert.firstFiringMs ?? 0))
          .sort((a, b) => (b.injectedAtMs ?? 0) - (a.injectedAtMs ?? 0))[0];
  const faultStartMs = detection?.faultStartMs ?? fallback?.injectedAtMs;
  const earliest = detection?.earliestFiringMs;
  // The firing that detected the fault: the journal names it; a journal that does not takes the
  // first firing, unless it came before the fault (a cold start, say), which detected nothing.
  const firing =
    detection?.firingMs ??
    (detection?.alreadyFiring === true ||
    (alert.firstFiringMs !== undefined && faultStartMs !== undefined && alert.firstFiringMs < faultStartMs)
      ? undefined
      : alert.firstFiringMs);
  const toleranceMs = detection?.toleranceMs ?? 0;
  const delayMs = firing !== undefined && earliest !== undefined ? firing - earliest : undefined;
  return {
    source: alert.source,
    alert,
    faultId: detection?.faultId ?? fallback?.id,
    faultStartMs,
    firstPendingMs: alert.firstPendingMs,
    firstFiringMs: firing,
    earliestFiringMs: earliest,
    firedAfterMs: firing !== undefined && faultStartMs !== undefined ? firing - faultStartMs : undefined,
    earliestAfterMs:
      earliest !== undefined && faultStartMs !== undefined ? earliest - faultStartMs : undefined,
    delayMs,
    toleranceMs,
    late: delayMs !== undefined && delayMs > toleranceMs,
    // Firing since before the fault is not a miss: nothing was left to detect.
    missed: firing === undefined && earliest !== undefined && detection?.alreadyFiring !== true,
  };
}

/**
 * A duration as run, with what it stands for at the unscaled windows the user would deploy:
 * `41 s (41 min at the unscaled windows)`. Without a time scale, the figure alone.
 */
export function scaled(ms: number, timeScale: number, suffix = ' at the unscaled windows'): string {
  if (timeScale === 1) return duration(ms);
  return `${duration(ms)} (${duration(ms * timeScale)}${suffix})`;
}

/** `41 s after the fault (41 min at the unscaled windows)`. */
export function afterFault(ms: number, timeScale: number): string {
  if (timeScale === 1) return `${duration(ms)} after the fault`;
  return `${duration(ms)} after the fault (${duration(ms * timeScale)} at the unscaled windows)`;
}

/** The sentence the postmortem's Detection section gives each source of an alert. */
export function detectionSentence(f: DetectionFigures, timeScale: number): string {
  if (f.firstFiringMs === undefined && f.alert.detection?.alreadyFiring === true) {
    return `was already firing when the fault began (since ${new Date(f.alert.firstFiringMs ?? 0).toISOString().slice(11, 23)}Z), so it detected nothing`;
  }
  if (f.firstFiringMs === undefined) {
    const bound =
      f.earliestAfterMs !== undefined
        ? `; the rule allowed firing ${afterFault(f.earliestAfterMs, timeScale)}`
        : '';
    return `did not fire${bound}`;
  }
  if (f.firedAfterMs === undefined) return `fired; no fault start is recorded to measure from`;
  const parts = [`fired ${afterFault(f.firedAfterMs, timeScale)}`];
  if (f.earliestAfterMs !== undefined && f.delayMs !== undefined) {
    parts.push(`the earliest the rule allows is ${afterFault(f.earliestAfterMs, timeScale)}`);
    parts.push(delayPhrase(f, timeScale));
  } else if (f.alert.detection?.boundNote !== undefined) {
    parts.push(`no bound: ${f.alert.detection.boundNote}`);
  }
  return parts.join('; ');
}

function delayPhrase(f: DetectionFigures, timeScale: number): string {
  const delay = f.delayMs ?? 0;
  const tolerance = f.toleranceMs > 0 ? `tolerance ${duration(f.toleranceMs)}` : 'no tolerance recorded';
  if (delay < 0)
    return `measured − earliest = ${duration(delay)}: earlier than the bound (check the bound's inputs)`;
  const verdict = f.late ? 'LATE' : 'within bound';
  return `measured − earliest = ${scaled(delay, timeScale, ' unscaled')}, ${verdict} (${tolerance})`;
}
