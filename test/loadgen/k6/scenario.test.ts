import { describe, expect, it } from 'vitest';
import { k6Duration, k6Scenario, peakVus } from '../../../src/loadgen/k6/scenario.js';
import { executors } from './fixtures.js';

describe('the plan executor as a k6 scenario', () => {
  it('keeps k6 names and meanings: maxInFlight is maxVUs, all pre-allocated', () => {
    expect(k6Scenario(executors['constant-arrival-rate'])).toEqual({
      executor: 'constant-arrival-rate',
      rate: 50,
      timeUnit: '1s',
      duration: '1m30s',
      preAllocatedVUs: 200,
      maxVUs: 200,
    });
    expect(k6Scenario(executors['ramping-arrival-rate'])).toEqual({
      executor: 'ramping-arrival-rate',
      startRate: 10,
      timeUnit: '1s',
      stages: [
        { duration: '30s', target: 100 },
        { duration: '1m30s', target: 100 },
      ],
      preAllocatedVUs: 500,
      maxVUs: 500,
    });
    expect(k6Scenario(executors['constant-vus'])).toEqual({
      executor: 'constant-vus',
      vus: 20,
      duration: '1m',
    });
    expect(k6Scenario(executors['ramping-vus'])).toEqual({
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '10s', target: 20 },
        { duration: '50s', target: 20 },
        { duration: '1500ms', target: 0 },
      ],
    });
  });

  it('turns a fractional rate into whole iterations over a longer time unit, keeping the pace', () => {
    const scenario = (rate: number) =>
      k6Scenario({
        kind: 'constant-arrival-rate',
        rate,
        timeUnitMs: 1000,
        durationMs: 60_000,
        maxInFlight: 10,
      });
    expect(scenario(2.5)).toMatchObject({ rate: 25, timeUnit: '10s' });
    expect(scenario(0.3)).toMatchObject({ rate: 3, timeUnit: '10s' });
    expect(scenario(0.125)).toMatchObject({ rate: 125, timeUnit: '16m40s' });
    const ramp = k6Scenario({
      kind: 'ramping-arrival-rate',
      startRate: 1,
      timeUnitMs: 1000,
      stages: [{ durationMs: 1000, target: 1.5 }],
      maxInFlight: 10,
    });
    expect(ramp).toMatchObject({ startRate: 10, timeUnit: '10s', stages: [{ duration: '1s', target: 15 }] });
  });

  it('writes durations in Go syntax, which k6 parses', () => {
    expect([0, 250, 1000, 61_000, 3_600_000, 5_430_000, 90_500].map(k6Duration)).toEqual([
      '0s',
      '250ms',
      '1s',
      '1m1s',
      '1h',
      '1h30m30s',
      '90500ms',
    ]);
  });

  it('knows the most VUs each executor runs at once', () => {
    expect(Object.values(executors).map(peakVus)).toEqual([200, 500, 20, 20]);
  });
});
