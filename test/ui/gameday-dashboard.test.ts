import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

// ink decides when it is imported whether it runs in CI, and there it draws only the last frame (on
// unmount). These tests are about a terminal, wherever they run: hoisted above the imports.
vi.hoisted(() => {
  process.env.CI = 'false';
  delete process.env.CONTINUOUS_INTEGRATION;
});
import type { TimelineEvent } from '../../src/gameday/journal.js';
import type { LiveBurnRate, LiveStatus } from '../../src/gameday/runner/ports.js';
import {
  emptyDashboard,
  GameDayDashboard,
  startGameDayDashboard,
  withEvent,
  withStatus,
  type DashboardState,
} from '../../src/ui/gameday-dashboard.js';
import { FakeTerminal } from '../helpers/fake-terminal.js';

const t0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const header = { scenario: 'vendor-outage', title: 'The primary payment vendor goes down' };

// vitest's include covers *.test.ts only, so the elements are built without JSX.
const frameOf = (state: DashboardState, rows?: number): string => {
  const { lastFrame, unmount } = render(
    createElement(GameDayDashboard, { ...header, state, ...(rows === undefined ? {} : { rows }) }),
  );
  const frame = stripVTControlCharacters(lastFrame() ?? '');
  unmount();
  return frame
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
};

/** The burn table: from its heading to the blank line after it. */
const burnTableOf = (frame: string): string[] => {
  const lines = frame.split('\n');
  const start = lines.findIndex((line) => line.startsWith('BURN RATE'));
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
};

function gauge(
  slo: string,
  segment: string | undefined,
  tier: 'page' | 'ticket',
  condition: 'quick' | 'slow',
  burn: { factor: number; long?: number; short?: number; severity?: string },
): LiveBurnRate {
  const windows = {
    page: { quick: [60_000, 5000], slow: [360_000, 30_000] },
    ticket: { quick: [1_440_000, 120_000], slow: [4_320_000, 360_000] },
  }[tier][condition];
  return {
    slo,
    ...(segment === undefined ? {} : { segment }),
    alertname:
      slo === 'checkout-availability' ? 'CheckoutAvailabilityBudgetBurn' : 'CheckoutLatencyBudgetBurn',
    tier,
    severity: burn.severity ?? tier,
    condition,
    factor: burn.factor,
    long: { windowMs: windows[0] ?? 0, burnRate: burn.long },
    short: { windowMs: windows[1] ?? 0, burnRate: burn.short },
  };
}

const status = (fields: Partial<LiveStatus> = {}): LiveStatus => ({
  phase: 'inject',
  phaseEndsInMs: 42_000,
  atMs: t0 + 75_000,
  segments: [
    { segment: 'guest', stats: { requests: 150, errors: 0, business: 3, p95Ms: 120.4 } },
    { segment: 'member', stats: { requests: 100, errors: 0, business: 0, p95Ms: 95 } },
    { segment: 'vip', stats: { requests: 20, errors: 5, business: 0, p95Ms: 840 } },
  ],
  requestsPerSecond: 54,
  burnRates: [
    // vip burns 30× over both page windows: above 14.4 (the bar is full), and the alert fires.
    gauge('checkout-availability', 'vip', 'page', 'quick', { factor: 14.4, long: 30, short: 40 }),
    gauge('checkout-availability', 'vip', 'page', 'slow', { factor: 6, long: 5, short: 40 }),
    gauge('checkout-availability', 'vip', 'ticket', 'quick', { factor: 3, long: 2, short: 10 }),
    gauge('checkout-availability', 'vip', 'ticket', 'slow', { factor: 1, long: 0.5, short: 2 }),
    gauge('checkout-latency', 'vip', 'page', 'quick', { factor: 14.4 }),
    gauge('checkout-latency', 'vip', 'page', 'slow', { factor: 6 }),
  ],
  firing: [{ alertname: 'CheckoutAvailabilityBudgetBurn', segment: 'vip', severity: 'page' }],
  activeFaults: [
    { id: 'gd-1-vendor-outage-1', fault: 'vendor-outage', target: 'vendor-primary', endsInMs: 12_400 },
  ],
  ...fields,
});

const events: TimelineEvent[] = [
  { atMs: t0, kind: 'phase', message: 'phase start begins' },
  { atMs: t0 + 2000, kind: 'phase', message: 'phase baseline begins' },
  { atMs: t0 + 32_000, kind: 'steady-state', message: 'steady state holds at the end of baseline' },
  { atMs: t0 + 32_000, kind: 'phase', message: 'phase inject begins' },
  { atMs: t0 + 32_000, kind: 'fault', message: 'vendor-outage injected', marker: 'OUTAGE BEGINS' },
  { atMs: t0 + 33_000, kind: 'fault', message: 'vendor-outage verified: the probe saw 503' },
  { atMs: t0 + 60_000, kind: 'alert', message: 'CheckoutAvailabilityBudgetBurn for vip (page) firing' },
  { atMs: t0 + 61_000, kind: 'runbook', message: 'runbook: runbooks/checkout-availability.md' },
];

const running = (): DashboardState => withStatus(events.reduce(withEvent, emptyDashboard), status());

describe('the game day dashboard', () => {
  it('shows the phase and its countdown, the rate, checkout per segment, burn bars, alerts, faults and the latest events', () => {
    const frame = frameOf(running());
    const lines = frame.split('\n');
    expect(lines[0]).toBe('game day vendor-outage · The primary payment vendor goes down');
    expect(lines[1]).toBe('phase INJECT · 0:42 left · elapsed 1:15 · checkout 54.0 req/s');
    expect(frame).toMatch(/guest\s+150\s+100%\s+120ms/);
    expect(frame).toMatch(/member\s+100\s+100%\s+95ms/);
    expect(frame).toMatch(/vip\s+20\s+75%\s+840ms/);
    // A row per SLO and segment, a cell per tier. vip's page tier is over its threshold: a full bar
    // past the mark, the binding (lower) burn rate of its hotter pair, the alert firing. The ticket
    // tier's closer pair (quick, 2 of 3) fills two thirds of the way to the mark. The latency SLO
    // has no data yet (an empty bar, no figure) and no ticket tier.
    expect(burnTableOf(frame)).toEqual([
      'BURN RATE page  (│ is the threshold)        ticket',
      'checkout-availability',
      '  vip     ███████│███████    30/14.4 FIRING █████░░│░░░░░░░     2/3',
      'checkout-latency',
      '  vip     ·······│·······     -/14.4',
    ]);
    expect(frame).toContain('FIRING CheckoutAvailabilityBudgetBurn vip (page)');
    expect(frame).toContain('fault vendor-outage on vendor-primary, 13 s left');
    // The last six events, timed from the start of the run.
    expect(frame).not.toContain('phase baseline begins');
    expect(frame).toContain('  0:32 steady state holds at the end of baseline');
    expect(frame).toContain('  0:32 OUTAGE BEGINS: vendor-outage injected');
    expect(frame).toContain('  1:01 runbook: runbooks/checkout-availability.md');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('marks a tier over its threshold and not yet firing, and tells two tiers of one severity apart', () => {
    const guest = [
      gauge('checkout-availability', 'guest', 'page', 'quick', {
        factor: 14.4,
        long: 20,
        short: 25,
        severity: 'ticket',
      }),
      gauge('checkout-availability', 'guest', 'ticket', 'quick', {
        factor: 3,
        long: 2,
        short: 2.5,
        severity: 'ticket',
      }),
    ];
    const pending = frameOf(withStatus(emptyDashboard, status({ burnRates: guest, firing: [] })));
    expect(burnTableOf(pending)[2]).toBe(
      '  guest   ███████│███░░░░    20/14.4 over   █████░░│░░░░░░░     2/3',
    );
    expect(pending).toContain('no alert firing');

    // The alert with severity ticket fires: the page tier (severity ticket for guests) is the one over.
    const firing = [{ alertname: 'CheckoutAvailabilityBudgetBurn', segment: 'guest', severity: 'ticket' }];
    const fired = frameOf(withStatus(emptyDashboard, status({ burnRates: guest, firing })));
    expect(burnTableOf(fired)[2]).toBe('  guest   ███████│███░░░░    20/14.4 FIRING █████░░│░░░░░░░     2/3');
  });

  it('keeps below the terminal: fewer events, then only the hottest rows of the burn table', () => {
    const slos = ['checkout-availability', 'checkout-latency', 'payment-success'];
    const burnRates = slos.flatMap((slo) =>
      ['guest', 'member', 'vip'].flatMap((segment) =>
        (['page', 'ticket'] as const).map((tier) =>
          gauge(slo, segment, tier, 'quick', {
            factor: tier === 'page' ? 14.4 : 3,
            ...(slo === 'payment-success' && segment === 'member'
              ? { long: 60, short: 50 }
              : { long: 0, short: 0 }),
          }),
        ),
      ),
    );
    const state = withStatus(events.reduce(withEvent, emptyDashboard), status({ burnRates }));
    expect(burnTableOf(frameOf(state))).toHaveLength(1 + 3 * 4);

    const frame = frameOf(state, 24);
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThan(24);
    const table = burnTableOf(frame);
    expect(table[0]).toMatch(/^BURN RATE/);
    expect(table).toContain('payment-success');
    expect(table).toContain('  member  ███████│███████    50/14.4 over   ███████│███████    50/3    over');
    expect(table.at(-1)).toMatch(/^… \d+ quieter rows \(the terminal is too short\)$/);
    // Three events instead of six.
    expect(lines.slice(-4)).toEqual([
      '',
      '  0:33 vendor-outage verified: the probe saw 503',
      '  1:00 CheckoutAvailabilityBudgetBurn for vip (page) firing',
      '  1:01 runbook: runbooks/checkout-availability.md',
    ]);
  });

  it('names the phase from the events before the first status and after the last one', () => {
    const starting = frameOf(
      withEvent(emptyDashboard, { atMs: t0, kind: 'phase', message: 'phase start begins' }),
    );
    expect(starting).toContain('phase START · elapsed 0:00');
    expect(starting).toContain('waiting for the first sample…');

    const verifying = withEvent(running(), {
      atMs: t0 + 90_000,
      kind: 'phase',
      message: 'phase verify begins',
    });
    const frame = frameOf(verifying);
    expect(frame).toContain('phase VERIFY · elapsed 1:30 · checkout 54.0 req/s');
    expect(frame).toContain('  1:30 phase verify begins');
  });
});

describe('the mounted dashboard', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws on each status, draws events alone within a second, writes logs above itself and leaves its last frame', () => {
    vi.useFakeTimers();
    const terminal = new FakeTerminal();
    const view = startGameDayDashboard(terminal as unknown as NodeJS.WriteStream, header);
    vi.advanceTimersByTime(50);
    expect(terminal.text()).toContain('waiting for the first sample…');

    const before = terminal.chunks.length;
    view.event({ atMs: t0, kind: 'phase', message: 'phase baseline begins' });
    vi.advanceTimersByTime(900);
    expect(terminal.chunks.length).toBe(before);
    vi.advanceTimersByTime(150);
    expect(terminal.text()).toContain('phase BASELINE');

    view.event({ atMs: t0 + 32_000, kind: 'fault', message: 'vendor-outage injected' });
    view.tick(status());
    vi.advanceTimersByTime(50);
    const drawn = terminal.text();
    expect(drawn).toContain('phase INJECT · 0:42 left');
    expect(drawn).toContain('vendor-outage injected');

    view.write('warn scrape of http://127.0.0.1:1/metrics failed: timeout\n');
    vi.advanceTimersByTime(50);
    const after = terminal.text().slice(drawn.length);
    const log = after.indexOf('warn scrape of http://127.0.0.1:1/metrics failed');
    expect(log).toBeGreaterThanOrEqual(0);
    expect(after.indexOf('game day vendor-outage', log)).toBeGreaterThan(log);

    view.tick(status({ phase: 'recover', phaseEndsInMs: 9000, activeFaults: [] }));
    view.close();
    const last = terminal.text();
    expect(last.slice(last.lastIndexOf('game day vendor-outage'))).toContain('phase RECOVER · 0:09 left');
    const closed = terminal.chunks.length;
    view.event({ atMs: t0 + 99_000, kind: 'note', message: 'too late' });
    view.tick(status());
    vi.advanceTimersByTime(2000);
    expect(terminal.chunks.length).toBe(closed);
  });
});
