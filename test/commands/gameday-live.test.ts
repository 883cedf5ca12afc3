import { describe, expect, it, vi } from 'vitest';

// The dashboard imports ink, which decides at import whether it runs in CI (and then draws only
// the last frame): this test is about a terminal wherever it runs.
vi.hoisted(() => {
  process.env.CI = 'false';
  delete process.env.CONTINUOUS_INTEGRATION;
});
import { liveView } from '../../src/commands/gameday-live.js';
import { fixedClock } from '../../src/core/clock.js';
import { bufferWriter, type Writer } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import type { LiveStatus } from '../../src/gameday/runner/ports.js';
import { FakeTerminal } from '../helpers/fake-terminal.js';

const t0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const header = { scenario: 'vendor-outage', title: 'The primary payment vendor goes down' };

function contextOf(stderr: Writer, options: { isTTY: boolean; env?: Record<string, string> }) {
  const clock = fixedClock(t0);
  return {
    io: { stdout: bufferWriter(), stderr, env: options.env ?? {}, cwd: '/', isTTY: options.isTTY },
    clock,
    logger: createLogger({ sink: stderr, clock }),
  };
}

const status = (atMs: number, fields: Partial<LiveStatus> = {}): LiveStatus => ({
  phase: 'baseline',
  phaseEndsInMs: t0 + 32_000 - atMs,
  atMs,
  segments: [
    { segment: 'guest', stats: { requests: 50, errors: 1, business: 0, p95Ms: 120.4 } },
    { segment: 'vip', stats: undefined },
  ],
  requestsPerSecond: 10,
  burnRates: [],
  firing: [],
  activeFaults: [],
  ...fields,
});

/** Drives a view the way the runner does: events, and a status each second from 3 s to 14 s. */
function drive(view: Awaited<ReturnType<typeof liveView>>): void {
  view.event?.({ atMs: t0, kind: 'phase', message: 'phase start begins' });
  view.event?.({ atMs: t0 + 2000, kind: 'phase', message: 'phase baseline begins' });
  for (let s = 3; s <= 14; s++) view.tick?.(status(t0 + s * 1000));
  view.event?.({
    atMs: t0 + 12_000,
    kind: 'fault',
    message: 'vendor-outage injected',
    marker: 'OUTAGE BEGINS',
  });
}

describe('the live view of gameday run', () => {
  it('--json: writes nothing, and log lines go to stderr as they are', async () => {
    const stderr = bufferWriter();
    const view = await liveView(contextOf(stderr, { isTTY: true }), { json: true, ...header });
    drive(view);
    view.close();
    expect(stderr.text()).toBe('');
    expect(view.stderr).toBe(stderr);
  });

  it('not a terminal: a line per event and a status line every 5 s', async () => {
    const stderr = bufferWriter();
    const view = await liveView(contextOf(stderr, { isTTY: false }), { json: false, ...header });
    drive(view);
    view.close();
    expect(stderr.text().split('\n')).toEqual([
      '10:00:00  phase start begins',
      '10:00:02  phase baseline begins',
      '10:00:03  [baseline (29 s left)] checkout guest 98% p95 120ms  vip -',
      '10:00:08  [baseline (24 s left)] checkout guest 98% p95 120ms  vip -',
      '10:00:13  [baseline (19 s left)] checkout guest 98% p95 120ms  vip -',
      '10:00:12  OUTAGE BEGINS: vendor-outage injected',
      '',
    ]);
  });

  it('names faults and firing alerts on the status line', async () => {
    const stderr = bufferWriter();
    const view = await liveView(contextOf(stderr, { isTTY: false }), { json: false, ...header });
    view.tick?.(
      status(t0 + 20_000, {
        phase: 'inject',
        phaseEndsInMs: undefined,
        activeFaults: [{ id: 'f1', fault: 'vendor-outage', target: 'vendor-primary', endsInMs: 3000 }],
        firing: [{ alertname: 'CheckoutAvailabilityBudgetBurn', segment: 'guest', severity: 'ticket' }],
      }),
    );
    expect(stderr.text()).toBe(
      '10:00:20  [inject] checkout guest 98% p95 120ms  vip -  faults vendor-outage  FIRING CheckoutAvailabilityBudgetBurn/guest\n',
    );
  });

  it('plain lines on a terminal when stdout is not one, or in CI', async () => {
    for (const options of [{ isTTY: false }, { isTTY: true, env: { CI: 'true' } }]) {
      const terminal = new FakeTerminal();
      const view = await liveView(contextOf(terminal, options), { json: false, ...header });
      drive(view);
      view.close();
      expect(terminal.text()).toContain('10:00:12  OUTAGE BEGINS: vendor-outage injected\n');
      expect(terminal.text()).not.toContain('game day vendor-outage');
    }
  });

  it('a terminal: the dashboard, with log lines written above it', async () => {
    const terminal = new FakeTerminal();
    const view = await liveView(contextOf(terminal, { isTTY: true }), { json: false, ...header });
    drive(view);
    const logger = createLogger({ sink: view.stderr, clock: fixedClock(t0) });
    logger.warn('scrape of http://127.0.0.1:1/metrics failed: timeout');
    view.close();
    const text = terminal.text();
    expect(text).not.toContain('10:00:03  [baseline');
    const log = text.indexOf('warn scrape of http://127.0.0.1:1/metrics failed: timeout');
    expect(log).toBeGreaterThanOrEqual(0);
    const last = text.slice(text.lastIndexOf('game day vendor-outage'));
    expect(text.lastIndexOf('game day vendor-outage')).toBeGreaterThan(log);
    expect(last).toContain('phase BASELINE · 0:18 left · elapsed 0:14 · checkout 10.0 req/s');
    expect(last).toContain('OUTAGE BEGINS: vendor-outage injected');
  });
});
