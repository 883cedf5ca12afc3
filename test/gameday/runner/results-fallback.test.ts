import { describe, expect, it } from 'vitest';
import { renderPostmortem } from '../../../src/gameday/report/postmortem.js';
import { journalSchema, type JournalAlert } from '../../../src/gameday/journal.js';
import type { LoadResults } from '../../../src/loadgen/results.js';
import type { CustomerRecord, LoadControl, Observer } from '../../../src/gameday/runner/ports.js';
import { runGameDay, type GameDayOptions } from '../../../src/gameday/runner/run-game-day.js';
import { parseScenario } from '../../../src/gameday/scenario/load.js';
import type { Slo } from '../../../src/slo/model.js';
import { oddSlo } from '../observe/odd-slo.js';
import { fakeClock, fakeFaults, fakeObserver, fakeTarget } from './fakes.js';

const t0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const injectStart = t0 + 12_000;

const scenarioText = `apiVersion: shopsre/v1
kind: GameDay
title: An SLO only the results can count
description: A test scenario.
hypothesis: The odd SLO's alert fires.
timeScale: 1
phases:
  warmup: 2s
  baseline: 10s
  inject:
    duration: 10s
    faults:
      - { fault: vendor-outage, at: 0s, for: 10s }
  recover: { timeout: 30s, hold: 3s }
steadyState:
  - { kind: checkout-success, minPercent: 95, window: 5s }
expectations:
  - { kind: alert-fires, alert: CheckoutOddBudgetBurn, segment: guest, within: 10s }
  - { kind: recovered, within: 15s }
`;

/** The odd SLO as the run evaluates it (windows already small); its SLI uses `irate`. */
const odd: Slo = oddSlo();
const reason = 'function irate() is not supported, only rate() and increase()';

/** Load whose checkout points fail half of guest's 10 checkouts a second while the fault is on. */
function failingLoad(clock: { now(): number }, stepSeries = true): LoadControl {
  return {
    start(signal) {
      const startedAtMs = clock.now();
      const finished = new Promise<CustomerRecord>((resolve) => {
        signal.addEventListener(
          'abort',
          () => {
            const seconds = Math.floor((clock.now() - startedAtMs) / 1000);
            const points: LoadResults['timeSeries'] = Array.from({ length: seconds }, (_, k) => {
              const at = startedAtMs + k * 1000;
              const failed = at >= injectStart && at < injectStart + 10_000 ? 5 : 0;
              const byStatus: Record<string, number> =
                failed > 0 ? { '200': 10 - failed, '503': failed } : { '200': 10 };
              return {
                t: k,
                segment: 'guest',
                step: 'checkout',
                count: 10,
                errors: { http4xx: 0, http5xx: failed, timeout: 0, connection: 0, check: 0 },
                p50: 10,
                p95: 10,
                p99: 10,
                byStatus,
                latencyBucketsMs: { '250': 10 },
              };
            });
            resolve({
              startedAtMs,
              checkout: {},
              totals: {},
              ...(stepSeries ? { stepSeries: { steps: ['checkout'], points } } : {}),
            });
          },
          { once: true },
        );
      });
      return { finished };
    },
  };
}

function setup(options: { builtinAlerts?: JournalAlert[]; prometheus?: boolean; stepSeries?: boolean } = {}) {
  const clock = fakeClock(t0);
  const base = fakeObserver(clock, { segments: ['guest'], errorRatioAt: () => 0 });
  const observer: Observer = {
    ...base,
    record: () => {
      const record = base.record();
      const prometheusAlert: JournalAlert = {
        source: 'prometheus',
        alertname: 'CheckoutOddBudgetBurn',
        slo: 'checkout-odd',
        segment: 'guest',
        tier: 'page',
        severity: 'page',
        forMs: 2000,
        transitions: [],
      };
      return {
        ...record,
        alerts: [...(options.builtinAlerts ?? []), ...(options.prometheus ? [prometheusAlert] : [])],
        notEvaluable: [{ slo: odd, reason }],
      };
    },
  };
  const gameDay: GameDayOptions = {
    scenario: parseScenario('odd.yaml', scenarioText),
    slos: [odd],
    runId: 'gd-test',
    toolVersion: '0.0.0',
    clock,
    signal: new AbortController().signal,
    startTarget: () => Promise.resolve(fakeTarget()),
    startObserver: () => Promise.resolve(observer),
    faultControl: () => fakeFaults(clock),
    loadControl: () => failingLoad(clock, options.stepSeries ?? true),
  };
  return gameDay;
}

describe('an SLO the in-process evaluator cannot read, under the phase runner', () => {
  it("gets burn rates and alerts from the customers' view, which its expectations fall back on", async () => {
    const journal = await runGameDay(setup());
    expect(journalSchema.safeParse(journal).success).toBe(true);
    const alerts = journal.alerts.filter((a) => a.source === 'results');
    expect(alerts.map((a) => [a.alertname, a.segment, a.tier])).toEqual([
      ['CheckoutOddBudgetBurn', 'guest', 'page'],
    ]);
    // Second 12 (the fault's first) closes at t0 + 13 s: 2 s holds 5/20, 4 s 5/40, both above 0.1.
    expect(alerts[0]?.firstPendingMs).toBe(injectStart + 1000);
    expect(alerts[0]?.firstFiringMs).toBe(injectStart + 3000);
    expect(journal.series.burnRates.filter((b) => b.source === 'results').map((b) => b.windowMs)).toContain(
      2000,
    );
    expect(journal.expectations[0]).toMatchObject({ kind: 'alert-fires', met: true });
    expect(journal.expectations[0]?.detail).toMatch(/^fired 3 s after the fault/);
    expect(journal.notEvaluable).toEqual([
      { slo: 'checkout-odd', segment: 'guest', reason, sources: ['results'] },
    ]);
    expect(renderPostmortem(journal)).toContain(
      '- SLO `checkout-odd` [guest]: not evaluated in process (function irate() is not supported, only rate() and increase()); its burn rates and alerts come from results (computed from the load results).',
    );
  });

  it("still computes them beside Prometheus' alerts, which remain the authority for expectations", async () => {
    const journal = await runGameDay(setup({ prometheus: true }));
    expect(journal.alerts.map((a) => a.source).sort()).toEqual(['prometheus', 'results']);
    expect(journal.notEvaluable?.[0]?.sources).toEqual(['prometheus', 'results']);
    // Prometheus' alert never fired: the expectation reads it, not the results' one.
    expect(journal.expectations[0]).toMatchObject({ met: false, detail: 'it never fired' });
  });

  it('says so when the load recorded no per-second step points', async () => {
    const journal = await runGameDay(setup({ stepSeries: false }));
    expect(journal.alerts.filter((a) => a.source === 'results')).toEqual([]);
    expect(journal.notEvaluable).toEqual([
      {
        slo: 'checkout-odd',
        segment: 'guest',
        reason,
        sources: [],
        resultsNote: 'the load recorded no per-second step points',
      },
    ]);
    expect(renderPostmortem(journal)).toContain(
      'no source evaluated its burn rates or alerts (load results: the load recorded no per-second step points).',
    );
  });
});
