import type { AlertTier, Slo } from '../../slo/model.js';
import type { AlertTransition, JournalAlert } from '../journal.js';

/** What a journal `alerts` entry says about one SLO tier, whichever evaluator watched it. */
export interface TierHistory {
  readonly transitions: readonly AlertTransition[];
  /** When the condition first held (pending, or firing at once without `for`). */
  readonly firstActiveMs: number | undefined;
  readonly firstFiringMs: number | undefined;
}

/**
 * One journal entry per SLO and enabled tier. `slo` is the name as written (`checkout-availability`)
 * and `segment` the segment it was expanded for, so entries group by SLO then segment.
 */
export function journalAlert(
  slo: Slo,
  tier: AlertTier,
  source: JournalAlert['source'],
  history: TierHistory,
): JournalAlert {
  return {
    source,
    alertname: slo.alerting.name,
    slo: slo.baseName,
    ...(slo.segment ? { segment: slo.segment.value } : {}),
    tier: tier.name,
    severity: tier.severity,
    forMs: tier.forMs ?? 0,
    transitions: [...history.transitions],
    ...(history.firstActiveMs === undefined ? {} : { firstPendingMs: history.firstActiveMs }),
    ...(history.firstFiringMs === undefined ? {} : { firstFiringMs: history.firstFiringMs }),
  };
}
