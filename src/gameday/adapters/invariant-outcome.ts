import type { InvariantName } from '../../../reference-store/src/verify/invariants.js';
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
export function invariantOutcome(report: {
  readonly ok: boolean;
  readonly skipped: readonly string[];
  /** A store over HTTP may name invariants this release does not know: they are listed too. */
  readonly violations: readonly { readonly invariant: string; readonly detail: string }[];
}): InvariantOutcome {
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
  const known = new Set<string>(invariantNames);
  const others = [...new Set(report.violations.map((v) => v.invariant).filter((n) => !known.has(n)))].map(
    (name) => ({
      name,
      passed: false,
      detail: report.violations
        .filter((v) => v.invariant === name)
        .map((v) => v.detail)
        .join('; '),
    }),
  );
  return {
    checked: true,
    passed: report.ok,
    items: [...items, ...others],
    ...(report.skipped.length > 0 ? { note: `not checked: ${report.skipped.join('; ')}` } : {}),
  };
}
