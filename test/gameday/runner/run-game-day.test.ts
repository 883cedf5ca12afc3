import { describe, expect, it } from 'vitest';
import type { JournalAlert } from '../../../src/gameday/journal.js';
import { runGameDay, type GameDayOptions } from '../../../src/gameday/runner/run-game-day.js';
import { parseScenario } from '../../../src/gameday/scenario/load.js';
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
      'stop condition: vip checkout success 40.0 % below 50.0 % over the last 4 s; reverting every fault',
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
      detail: 'fired 12.0 s after the fault (12.0 min at unscaled windows, time scale 60)',
    });
    expect(byKind['alert-silent']?.met).toBe(false);
    expect(journal.verdict.outcome).toBe('refuted');
  });
});
