import type { Journal, TimelineEvent } from '../journal.js';

/** When the outage began, was mitigated and ended, each with the journal field it was read from. */
export interface OutageTimings {
  readonly beganMs: number | undefined;
  readonly beganFrom: string;
  readonly mitigatedMs: number | undefined;
  readonly mitigatedFrom: string;
  readonly recoveredMs: number | undefined;
  readonly recoveredFrom: string;
  readonly timeToMitigateMs: number | undefined;
  readonly timeToRecoverMs: number | undefined;
}

type TimingsInput = Pick<Journal, 'faults' | 'steadyState' | 'timeline'>;

function marker(timeline: readonly TimelineEvent[], name: TimelineEvent['marker']): number | undefined {
  const times = timeline.filter((e) => e.marker === name).map((e) => e.atMs);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * Time to mitigate is measured to the fault's revert (the last one, when several ran) and time to
 * recover to the steady state holding again, as the game day defines them; the timeline's markers are
 * the fallback when the run did not get that far (a fault never reverted, no recover check).
 */
export function outageTimings(journal: TimingsInput): OutageTimings {
  const injected = journal.faults.flatMap((f) => (f.injectedAtMs === undefined ? [] : [f.injectedAtMs]));
  const reverted = journal.faults.filter((f) => f.injectedAtMs !== undefined);
  const allReverted = reverted.length > 0 && reverted.every((f) => f.revertedAtMs !== undefined);
  const held = journal.steadyState.filter((s) => s.at === 'recover' && s.held).map((s) => s.atMs);

  const beganMarker = marker(journal.timeline, 'OUTAGE BEGINS');
  const began = beganMarker ?? (injected.length > 0 ? Math.min(...injected) : undefined);
  const beganFrom = beganMarker !== undefined ? 'timeline marker OUTAGE BEGINS' : 'first fault injection';

  const lastRevert = allReverted ? Math.max(...reverted.map((f) => f.revertedAtMs ?? 0)) : undefined;
  const mitigated = lastRevert ?? marker(journal.timeline, 'MITIGATED');
  const mitigatedFrom = lastRevert !== undefined ? 'fault revert' : 'timeline marker MITIGATED';

  const steady = held.length > 0 ? Math.min(...held) : undefined;
  const recovered = steady ?? marker(journal.timeline, 'OUTAGE ENDS');
  const recoveredFrom = steady !== undefined ? 'steady state held at recover' : 'timeline marker OUTAGE ENDS';

  const since = (end: number | undefined): number | undefined =>
    end !== undefined && began !== undefined ? end - began : undefined;
  return {
    beganMs: began,
    beganFrom,
    mitigatedMs: mitigated,
    mitigatedFrom,
    recoveredMs: recovered,
    recoveredFrom,
    timeToMitigateMs: since(mitigated),
    timeToRecoverMs: since(recovered),
  };
}
