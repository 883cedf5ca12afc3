import type { InvariantName, InvariantReport } from '../../../reference-store/src/verify/invariants.js';
import type { InvariantOutcome } from '../runner/ports.js';

/** The invariants `store verify` checks, in the order a postmortem lists them. */
const invariantNames: readonly InvariantName[] = [
  'acknowledged-checkout-has-one-order',
  'paid-order-has-one-charge',
  'charge-has-paid-order-or-refund',
  'stock-not-negative',
  'stock-matches-sales',
  'no-unresolved-payment',
  'vendor-ledger-readable',
];

/**
 * The store's verify report as the journal lists it: one item per invariant, passed unless the
 * report names a violation of it; an invariant the report skipped is listed as not checked.
 */
export function invariantOutcome(
  report: Pick<InvariantReport, 'ok' | 'skipped' | 'violations'>,
): InvariantOutcome {
  const items = invariantNames.map((name) => {
    const violations = report.violations.filter((v) => v.invariant === name);
    const skipped = report.skipped.find((line) => line.includes(name));
    return {
      name,
      passed: violations.length === 0,
      detail:
        violations.length > 0
          ? violations.map((v) => v.detail).join('; ')
          : skipped !== undefined
            ? `not checked: ${skipped}`
            : 'holds',
    };
  });
  return {
    checked: true,
    passed: report.ok,
    items,
    ...(report.skipped.length > 0 ? { note: `not checked: ${report.skipped.join('; ')}` } : {}),
  };
}
