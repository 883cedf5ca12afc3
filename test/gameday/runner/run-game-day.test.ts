import { describe, expect, it } from 'vitest';
import type { JournalAlert } from '../../../src/gameday/journal.js';
import type { LiveStatus } from '../../../src/gameday/runner/ports.js';
import { FaultStoppedError } from '../../../src/gameday/adapters/chaos-control.js';
import { runGameDay, type GameDayOptions } from '../../../src/gameday/runner/run-game-day.js';
import { parseScenario } from '../../../src/gameday/scenario/load.js';
import { buildSlo, tier } from '../../slo/builders.js';
import { fakeClock, fakeFaults, fakeLoad, fakeObserver, fakeTarget } from './fakes.js';

const t0 = Date.UTC(2026, 11, 7, 10, 0, 0);

const scenarioText = `apiVersion: shopsre/v1
kind: GameDay
title: Two overlapping faults
description: A test scenario.
hypothesis: Checkout keeps working.
phases:
  warmup: 2s
  baseline: 10s
  inject:
    duration: 20s
    faults:
      - { fault: vendor-latency, at: 3s, for: 10s }
      - { fault: vendor-outage, at: 0s, for: 5s }
  recover: { timeout: 30s, hold: 3s }
steadyState:
  - { kind: checkout-success, minPercent: 95, window: 5s }
expectations:
  - { kind: alert-fires, alert: CheckoutAvailabilityBudgetBurn, segment: guest, within: 10s }
  - { kind: alert-silent, alert: CheckoutAvailabilityBudgetBurn, segment: vip }
  - { kind: recovered, within: 15s }
  - { kind: invariants-hold }
stopConditions:
  - { kind: checkout-success-below, percent: 50, segment: vip, for: 4s }
`;

function setup(
  overrides: { errorRatioAt?: (segment: string, atMs: number) => number; alerts?: () => JournalAlert[] } = {},
) {
  const clock = fakeClock(t0);
  const faults = fakeFaults(clock);
  const target = fakeTarget();
  const load = fakeLoad(clock);
  const controller = new AbortController();
  const observer = fakeObserver(clock, {
    errorRatioAt: overrides.errorRatioAt ?? (() => 0),
    ...(overrides.alerts ? { alerts: overrides.alerts } : {}),
  });
  const options: GameDayOptions = {
    scenario: parseScenario('two-faults.yaml', scenarioText),
    slos: [],
    runId: 'gd-test',
    toolVersion: '0.0.0',
    clock,
    signal: controller.signal,
    startTarget: () => Promise.resolve(target),
    startObserver: () => Promise.resolve(observer),
    faultControl: () => faults,
    loadControl: () => load,
  };
  return { clock, faults, target, load, controller, observer, options };
}

const firingGuestAlert = (atMs: number): JournalAlert => ({
  source: 'builtin',
  alertname: 'CheckoutAvailabilityBudgetBurn',
  slo: 'store-checkout-availability-guest',
  segment: 'guest',
  tier: 'page',
  severity: 'ticket',
  forMs: 2000,
  transitions: [
    { atMs: atMs - 2000, state: 'pending' },
    { atMs, state: 'firing' },
  ],
  firstPendingMs: atMs - 2000,
  firstFiringMs: atMs,
});

describe('the phase runner under a fake clock with fake drivers', () => {
  it('runs the phases in order, injects each fault at its offset and reverts it at its end', async () => {
    const injectStart = t0 + 12_000;
    const { options, faults, target, load, observer } = setup({
      alerts: () => [firingGuestAlert(injectStart + 6000)],
    });
    const journal = await runGameDay(options);

    expect(journal.phases.map((p) => p.name)).toEqual([
      'start',
      'baseline',
      'inject',
      'recover',
      'verify',
      'report',
    ]);
    expect(journal.phases.every((p) => p.endMs !== undefined && p.endMs >= p.startMs)).toBe(true);
    const inject = journal.phases.find((p) => p.name === 'inject');
    expect(inject?.startMs).toBe(injectStart);
    // The observers start after the warm-up: the first sample is a tick after it.
    expect(observer.samples[0]).toBe(t0 + 2000 + 1000);
    // Faults in offset order; each injected at its offset and reverted at offset + duration (1 s ticks).
    const [outage, latency] = journal.faults;
    expect(outage?.fault).toBe('vendor-outage');
    expect(outage?.injectedAtMs).toBe(injectStart);
    expect(outage?.revertedAtMs).toBe(injectStart + 5000);
    expect(latency?.fault).toBe('vendor-latency');
    expect(latency?.injectedAtMs).toBe(injectStart + 3000);
    expect(latency?.revertedAtMs).toBe(injectStart + 13_000);
    expect(faults.active.size).toBe(0);
    expect(faults.calls.filter((c) => c.startsWith('inject'))).toHaveLength(2);
    expect(target.stopped).toBe(1);
    expect(load.stoppedAt).toBeDefined();

    expect(journal.expectations.map((e) => [e.kind, e.met])).toEqual([
      ['alert-fires', true],
      ['alert-silent', true],
      ['recovered', true],
      ['invariants-hold', true],
    ]);
    expect(journal.verdict).toMatchObject({ outcome: 'held', exitCode: 0 });
    const markers = journal.timeline.flatMap((e) => (e.marker ? [[e.marker, e.atMs]] : []));
    expect(markers).toEqual([
      ['OUTAGE BEGINS', injectStart],
      ['MITIGATED', injectStart + 13_000],
      ['OUTAGE ENDS', expect.any(Number)],
    ]);
  });

  it('reverts every fault and reports "interrupted" when the signal aborts mid-injection', async () => {
    const { options, faults, controller, clock, target } = setup();
    const injectStart = t0 + 12_000;
    const observer = await options.startObserver(target);
    const sample = observer.sample.bind(observer);
    observer.sample = async (atMs) => {
      await sample(atMs);
      if (atMs >= injectStart + 4000) controller.abort();
    };
    const journal = await runGameDay({ ...options, startObserver: () => Promise.resolve(observer) });

    expect(faults.active.size).toBe(0);
    expect(journal.faults.map((f) => [f.fault, f.end])).toEqual([
      ['vendor-outage', 'interrupted'],
      ['vendor-latency', 'interrupted'],
    ]);
    expect(journal.faults.every((f) => f.revertedAtMs !== undefined && f.revertedAtMs <= clock.now())).toBe(
      true,
    );
    expect(journal.phases.find((p) => p.name === 'inject')?.outcome).toBe('interrupted');
    expect(journal.phases.map((p) => p.name)).toContain('verify');
    expect(journal.verdict.outcome).toBe('interrupted');
    expect(journal.verdict.exitCode).toBe(1);
    expect(target.stopped).toBe(1);
  });

  it('a stop that arrives while a fault is still going in: that fault is "interrupted", not a failed injection', async () => {
    const { options, faults, controller } = setup();
    // The first fault's driver is mid-probe when the stop comes; like runFault, it takes the fault
    // back and says it was stopped before it was verified.
    const inject = faults.inject.bind(faults);
    faults.inject = (fault, id, signal) => {
      if (fault.spec.fault !== 'vendor-outage') return inject(fault, id, signal);
      controller.abort();
      return Promise.reject(new FaultStoppedError('stopped before the fault was verified'));
    };
    const journal = await runGameDay(options);

    const first = journal.faults.find((f) => f.fault === 'vendor-outage');
    expect(first).toMatchObject({ end: 'interrupted', error: 'stopped before the fault was verified' });
    expect(first?.revertedAtMs).toBeDefined();
    expect(journal.verdict.outcome).toBe('interrupted');
    expect(journal.verdict.exitCode).toBe(1);
    expect(journal.verdict.reasons.join('\n')).not.toMatch(/could not be injected|the run failed/);
    expect(journal.timeline.map((e) => e.message)).toContain(
      'vendor-outage stopped before it was verified; reverted',
    );
  });

  it('stops early on a stop condition, reverts, still verifies, and refutes the hypothesis', async () => {
    const injectStart = t0 + 12_000;
    const { options, faults } = setup({
      errorRatioAt: (segment, atMs) => (segment === 'vip' && atMs > injectStart ? 0.8 : 0),
    });
    const journal = await runGameDay(options);
    expect(faults.active.size).toBe(0);
    const stop = journal.timeline.find((e) => e.kind === 'stop');
    // Over the last 4 s: 80 % errors from the fault on; the third bad second takes the window's
    // success to 1 - 3 × 0.8 / 4 = 40 %, the first below 50 %.
    expect(stop?.message).toBe(
      'stop condition: vip checkout success 40% below 50% over the last 4 s; reverting every fault',
    );
    expect(stop?.atMs).toBe(injectStart + 3000);
    expect(journal.phases.find((p) => p.name === 'inject')?.outcome).toBe('stopped');
    expect(journal.invariants.checked).toBe(true);
    expect(journal.verdict.outcome).toBe('refuted');
    expect(journal.verdict.reasons[0]).toMatch(/^stop condition fired/);
  });

  it('reverts what is injected when the observer fails, and reports the error', async () => {
    const injectStart = t0 + 12_000;
    const { options, faults, clock } = setup();
    const observer = fakeObserver(clock, { errorRatioAt: () => 0, failSampleAt: injectStart + 4000 });
    const journal = await runGameDay({ ...options, startObserver: () => Promise.resolve(observer) });
    expect(faults.active.size).toBe(0);
    expect(faults.calls.filter((c) => c.startsWith('revert'))).toHaveLength(2);
    expect(journal.verdict.outcome).toBe('error');
    expect(journal.verdict.reasons[0]).toBe('the run failed: scrape failed: connection refused');
  });

  it('injects nothing when the steady state does not hold at the end of baseline', async () => {
    const { options, faults } = setup({ errorRatioAt: (segment) => (segment === 'member' ? 0.2 : 0) });
    const journal = await runGameDay(options);
    expect(faults.calls).toEqual([]);
    expect(journal.steadyState[0]?.held).toBe(false);
    expect(journal.steadyState[0]?.checks.find((c) => !c.passed)?.segment).toBe('member');
    expect(journal.phases.map((p) => p.name)).toEqual(['start', 'baseline', 'verify', 'report']);
    expect(journal.verdict.outcome).toBe('refuted');
  });

  it('reverts leftovers of a killed run first, and says so in the timeline', async () => {
    const { options, clock } = setup();
    const faults = fakeFaults(clock, {
      leftovers: ['gd-old-vendor-outage-1 (vendor-outage on vendor-primary)'],
    });
    const journal = await runGameDay({ ...options, faultControl: () => faults });
    expect(
      journal.timeline.some(
        (e) =>
          e.message ===
          'leftover of a killed run reverted: gd-old-vendor-outage-1 (vendor-outage on vendor-primary)',
      ),
    ).toBe(true);
  });

  it('fails the expectation when the alert fires later than allowed, or fires where it must stay silent', async () => {
    const injectStart = t0 + 12_000;
    const late = firingGuestAlert(injectStart + 12_000);
    const vip = {
      ...firingGuestAlert(injectStart + 3000),
      segment: 'vip',
      slo: 'store-checkout-availability-vip',
    };
    const { options } = setup({ alerts: () => [late, vip] });
    const journal = await runGameDay(options);
    const byKind = Object.fromEntries(journal.expectations.map((e) => [e.kind, e]));
    expect(byKind['alert-fires']).toMatchObject({
      met: false,
      detail: 'fired 12 s after the fault (12 min at the unscaled windows, time scale 60)',
    });
    expect(byKind['alert-silent']?.met).toBe(false);
    expect(journal.verdict.outcome).toBe('refuted');
  });

  it('publishes the live status once a second: checkout per segment, requests per second, burn rates per tier at the scaled windows', async () => {
    const injectStart = t0 + 12_000;
    const { options, clock } = setup();
    const segment = (value: string) => ({ label: 'segment', value });
    const slos = [
      buildSlo({
        name: 'checkout-availability-guest',
        baseName: 'checkout-availability',
        segment: segment('guest'),
        alerting: {
          name: 'CheckoutAvailabilityBudgetBurn',
          labels: {},
          annotations: {},
          tiers: [tier('page', { severity: 'ticket' }), tier('ticket')],
        },
      }),
      buildSlo({
        name: 'checkout-latency-vip',
        baseName: 'checkout-latency',
        segment: segment('vip'),
        alerting: {
          name: 'CheckoutLatencyBudgetBurn',
          labels: {},
          annotations: {},
          tiers: [tier('page'), tier('ticket', { enabled: false })],
        },
      }),
    ];
    const asked: string[] = [];
    const firing = [{ alertname: 'CheckoutAvailabilityBudgetBurn', segment: 'guest', severity: 'ticket' }];
    const observer = {
      ...fakeObserver(clock, { errorRatioAt: () => 0 }),
      burnRate(slo: string, seg: string | undefined, windowMs: number) {
        asked.push(`${slo}/${seg ?? '-'}/${windowMs}`);
        // Burning fast over the page tier's short windows once a fault is in.
        return clock.now() >= injectStart ? 20_000 / windowMs : undefined;
      },
      firing: () => (clock.now() >= injectStart + 2000 ? firing : []),
    };
    const ticks: LiveStatus[] = [];
    await runGameDay({
      ...options,
      slos,
      startObserver: () => Promise.resolve(observer),
      events: { tick: (status) => ticks.push(status) },
    });

    // A tick per sample from the first one on (after the 2 s warm-up), until recovery.
    expect(ticks[0]?.atMs).toBe(t0 + 3000);
    expect(ticks.map((t) => t.atMs)).toEqual(observer.samples);
    // No span yet at the first sample; then 10 checkouts/s in each of 3 segments, over 1 s and then 5 s.
    expect(ticks.slice(0, 3).map((t) => t.requestsPerSecond)).toEqual([undefined, 30, 30]);
    const inject = ticks.find((t) => t.atMs === injectStart + 3000);
    expect(inject).toMatchObject({ phase: 'inject', phaseEndsInMs: 17_000, requestsPerSecond: 30 });
    expect(inject?.segments.map((s) => [s.segment, s.stats?.requests])).toEqual([
      ['guest', 50],
      ['member', 50],
      ['vip', 50],
    ]);
    expect(inject?.firing).toEqual(firing);
    // Each window pair of each enabled tier, the windows divided by the time scale (60); the
    // latency SLO's ticket tier is disabled, so it has no gauge.
    const rows = inject?.burnRates.map((b) => ({
      at: `${b.slo}/${b.segment ?? '-'} ${b.tier} ${b.condition} (${b.severity})`,
      factor: Number(b.factor.toFixed(6)),
      long: [b.long.windowMs, b.long.burnRate],
      short: [b.short.windowMs, b.short.burnRate],
    }));
    expect(rows).toEqual([
      {
        at: 'checkout-availability/guest page quick (ticket)',
        factor: 14.4,
        long: [60_000, 20_000 / 60_000],
        short: [5000, 4],
      },
      {
        at: 'checkout-availability/guest page slow (ticket)',
        factor: 6,
        long: [360_000, 20_000 / 360_000],
        short: [30_000, 20_000 / 30_000],
      },
      {
        at: 'checkout-availability/guest ticket quick (ticket)',
        factor: 3,
        long: [1_440_000, 20_000 / 1_440_000],
        short: [120_000, 20_000 / 120_000],
      },
      {
        at: 'checkout-availability/guest ticket slow (ticket)',
        factor: 1,
        long: [4_320_000, 20_000 / 4_320_000],
        short: [360_000, 20_000 / 360_000],
      },
      {
        at: 'checkout-latency/vip page quick (page)',
        factor: 14.4,
        long: [60_000, 20_000 / 60_000],
        short: [5000, 4],
      },
      {
        at: 'checkout-latency/vip page slow (page)',
        factor: 6,
        long: [360_000, 20_000 / 360_000],
        short: [30_000, 20_000 / 30_000],
      },
    ]);
    expect(asked).toContain('checkout-latency/vip/5000');
    // Before any fault, no data yet: the gauges are there, their burn rates undefined.
    expect(ticks[0]?.burnRates).toHaveLength(6);
    expect(ticks[0]?.burnRates.every((b) => b.long.burnRate === undefined)).toBe(true);
    // Faults start after the tick's status: the one due at 3 s shows from the next tick on.
    expect(inject?.activeFaults.map((f) => [f.fault, f.target, f.endsInMs])).toEqual([
      ['vendor-outage', 'vendor-primary', 2000],
    ]);
    const next = ticks.find((t) => t.atMs === injectStart + 4000);
    expect(next?.activeFaults.map((f) => [f.fault, f.target, f.endsInMs])).toEqual([
      ['vendor-outage', 'vendor-primary', 1000],
      ['vendor-latency', 'vendor-primary', 9000],
    ]);
  });
});
