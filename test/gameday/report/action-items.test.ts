import { describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/gameday/journal.js';
import {
  deriveActionItems,
  expectationActionKind,
  findings,
  type JournalWithoutActionItems,
} from '../../../src/gameday/report/action-items.js';
import { FAULT_START, breachedBase, heldBase, heldJournal } from './fixtures.js';

/** The held run (no finding at all) with one thing changed, and no action items yet. */
function heldWith(
  change: (journal: JournalWithoutActionItems) => JournalWithoutActionItems,
): JournalWithoutActionItems {
  return change(heldBase());
}

const IC = 'Ada Okafor';
const OBSERVER = 'Linus Tanaka';

describe('deriveActionItems', () => {
  it('finds nothing to do when the hypothesis held and everything was in bounds', () => {
    expect(deriveActionItems(heldBase())).toEqual([]);
  });

  it('derives one item per finding of the breached run, owners from the scenario roles', () => {
    const breached = breachedBase();
    const found = findings(breached);
    expect(found.map((f) => f.kind)).toEqual([
      'expectation', // No page alert fires
      'expectation', // error ratio below 1%
      'alert-late', // guest page, prometheus
      'alert-missed', // member ticket
      'slo-breached', // guest (454%)
      'slo-breached', // member (302%); vip used 90%: not breached
      'not-recovered', // guest error ratio at recover
      'invariant', // stock-conserved
    ]);
    const items = deriveActionItems(breached);
    expect(items.map((i) => [i.kind, i.owner])).toEqual([
      ['detect', OBSERVER],
      ['mitigate', IC],
      ['detect', OBSERVER],
      ['detect', OBSERVER],
      ['mitigate', IC],
      ['mitigate', IC],
      ['mitigate', IC],
      ['prevent', IC],
    ]);
    expect(items[2]!.finding).toBe(
      'CheckoutAvailabilityPage [guest] fired late: prometheus: 5.08 s after the earliest possible firing (tolerance 2 s)',
    );
    expect(items[3]!.finding).toContain('CheckoutAvailabilityTicket [member] did not fire (builtin)');
    expect(items[4]!.finding).toContain('Segment guest breached its SLO: 454% of the error budget consumed');
  });

  it('turns an unmet expectation into an item whose kind follows the expectation', () => {
    const items = deriveActionItems(
      heldWith((j) => ({
        ...j,
        expectations: [
          { description: 'Payments fail over within 5 s', kind: 'failover', met: false, detail: 'took 9 s' },
        ],
      })),
    );
    expect(items).toEqual([
      {
        kind: 'mitigate',
        owner: IC,
        title: 'Make "Payments fail over within 5 s" hold under vendor-outage',
        finding: 'Expectation not met: Payments fail over within 5 s (took 9 s)',
      },
    ]);
    expect(expectationActionKind('alert-fires')).toBe('detect');
    expect(expectationActionKind('invariant')).toBe('prevent');
    expect(expectationActionKind('latency')).toBe('mitigate');
  });

  it('turns an alert that did not fire although its bound says it should have into a detect item', () => {
    const items = deriveActionItems(
      heldWith((j) => ({
        ...j,
        alerts: j.alerts.map((a, i) =>
          i === 0
            ? {
                ...a,
                detection: { ...a.detection!, boundNote: undefined, earliestFiringMs: FAULT_START + 6_000 },
              }
            : a,
        ),
      })),
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'detect', owner: OBSERVER });
    expect(items[0]!.finding).toBe(
      'CheckoutAvailabilityPage [guest] did not fire (builtin); the rule allowed it 6 s after the fault (6 min at the unscaled windows)',
    );
  });

  it('treats an alert as late only past its bound plus tolerance', () => {
    const firing = (delayMs: number, toleranceMs: number): Journal['alerts'][number] => ({
      ...heldJournal().alerts[0]!,
      firstPendingMs: FAULT_START + 1_000,
      firstFiringMs: FAULT_START + 5_000 + delayMs,
      detection: {
        faultId: 'f',
        faultStartMs: FAULT_START,
        measuredErrorRatio: 0.4,
        earliestFiringMs: FAULT_START + 5_000,
        toleranceMs,
      },
    });
    const derive = (alert: Journal['alerts'][number]) =>
      deriveActionItems(heldWith((j) => ({ ...j, alerts: [alert] })));
    expect(derive(firing(1_000, 1_000))).toEqual([]);
    const late = derive(firing(1_001, 1_000));
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({
      kind: 'detect',
      title: 'Bring CheckoutAvailabilityPage [guest] within its detection bound',
    });
  });

  it('turns a segment that breached its SLO (whole budget consumed) into a mitigate item', () => {
    const items = deriveActionItems(
      heldWith((j) => ({
        ...j,
        impact: j.impact.map((i) => (i.segment === 'vip' ? { ...i, budgetConsumed: 1 } : i)),
      })),
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: 'mitigate',
      owner: IC,
      title: "Limit the vip segment's exposure to vendor-outage",
    });
  });

  it('turns a broken invariant into a prevent item', () => {
    const items = deriveActionItems(
      heldWith((j) => ({
        ...j,
        invariants: {
          ...j.invariants,
          passed: false,
          items: [{ name: 'no-double-charge', passed: false, detail: 'order 17 captured twice' }],
        },
      })),
    );
    expect(items).toEqual([
      {
        kind: 'prevent',
        owner: IC,
        title: 'Prevent no-double-charge from breaking under vendor-outage',
        finding: 'Invariant no-double-charge broke: order 17 captured twice',
      },
    ]);
  });

  it('gives detection items to the incident commander when there is no observer', () => {
    const breached = breachedBase();
    const noObservers = {
      ...breached,
      scenario: { ...breached.scenario, roles: { ...breached.scenario.roles, observers: [] } },
    };
    expect(new Set(deriveActionItems(noObservers).map((i) => i.owner))).toEqual(new Set([IC]));
  });
});
