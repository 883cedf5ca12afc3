import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/errors.js';
import { buildLoadPlan } from '../../src/loadgen/build-plan.js';
import type { ExecutorConfig } from '../../src/loadgen/plan.js';
import { presetExecutor } from '../../src/loadgen/presets.js';
import { parseLoadProfile } from '../../src/loadgen/profile.js';

const findings = (text: string): string[] => {
  try {
    parseLoadProfile('load.yaml', text);
  } catch (error) {
    if (error instanceof InputError) return error.lines();
    throw error;
  }
  throw new Error('expected findings');
};

const header = 'apiVersion: shopsre/v1\nkind: LoadProfile\n';

describe('a load profile file', () => {
  it('becomes a plan, with defaults for what it leaves out', () => {
    const profile = parseLoadProfile(
      'load.yaml',
      `${header}target: http://127.0.0.1:8080
seed: 42
executor:
  kind: ramping-arrival-rate
  startRate: 5
  timeUnit: 1m
  stages:
    - { duration: 30s, target: 50 }
    - { duration: 1m, target: 50 }
journey:
  segmentMix: { guest: 1, wholesale: 1 }
  requestTimeout: 2s
latencyBuckets: [50, 500]
`,
    );
    expect(buildLoadPlan({}, profile)).toEqual({
      executor: {
        kind: 'ramping-arrival-rate',
        startRate: 5,
        timeUnitMs: 60_000,
        stages: [
          { durationMs: 30_000, target: 50 },
          { durationMs: 60_000, target: 50 },
        ],
        maxInFlight: 100,
      },
      journey: {
        kind: 'checkout',
        target: 'http://127.0.0.1:8080',
        seed: 42,
        segmentMix: { guest: 1, wholesale: 1 },
        funnel: { browse: 8, addToCart: 1, checkout: 1 },
        requestTimeoutMs: 2000,
        segmentHeader: 'x-customer-segment',
        products: { count: 2000, skew: 0.5 },
        declineShare: 0,
      },
      latencyBucketsMs: [50, 500],
    });
  });

  it('reports typos at file:line:col with a did-you-mean, every one of them', () => {
    expect(
      findings(`${header}executor:
  kind: constant-arrival-rate
  rat: 10
journey:
  segmentMx: { guest: 1 }
`),
    ).toEqual([
      'load.yaml:5:3: unknown key "rat" (did you mean "rate"?) (at executor)',
      'load.yaml:7:3: unknown key "segmentMx" (did you mean "segmentMix"?) (at journey)',
    ]);
  });

  it("points k6's VU allocation fields at maxInFlight", () => {
    expect(findings(`${header}executor:\n  kind: constant-arrival-rate\n  maxVUs: 50\n`)).toEqual([
      'load.yaml:5:3: unknown key "maxVUs": use maxInFlight: the most iterations in flight at once',
    ]);
  });

  it('reports bad values and rules across fields where they are', () => {
    expect(
      findings(`${header}target: ftp://example.com
executor: { kind: constant-vus, vus: 5, duration: soon }
journey:
  segmentMix: { guest: 0 }
latencyBuckets: [500, 100]
`),
    ).toEqual([
      'load.yaml:3:9: expected an http(s) URL (at target)',
      'load.yaml:4:51: expected a duration such as 30s, 5m or 1h30m (at executor.duration)',
    ]);
    expect(findings(`${header}journey:\n  segmentMix: { guest: 0 }\nlatencyBuckets: [500, 100]\n`)).toEqual([
      'load.yaml:4:15: segmentMix needs at least one segment with a weight above 0',
      'load.yaml:5:23: latency buckets must increase: 100 follows 500',
    ]);
  });

  it('refuses a run longer than a day', () => {
    expect(findings(`${header}executor: { kind: constant-vus, duration: 2d }\n`)).toEqual([
      'load.yaml:3:43: the run would last 48.0h: a run lasts at most 24h',
    ]);
  });
});

describe('flags over profile over defaults', () => {
  it('defaults to 10 iterations/s of the checkout journey for 30 s, seed 1', () => {
    expect(buildLoadPlan({ target: 'http://127.0.0.1:8080' })).toMatchObject({
      executor: {
        kind: 'constant-arrival-rate',
        rate: 10,
        timeUnitMs: 1000,
        durationMs: 30_000,
        maxInFlight: 100,
      },
      journey: { kind: 'checkout', seed: 1 },
      latencyBucketsMs: [100, 250, 500, 1000],
    });
  });

  it('lets flags override the profile field by field', () => {
    const profile = parseLoadProfile(
      'load.yaml',
      `${header}target: http://127.0.0.1:1\nseed: 3\nexecutor: { kind: constant-arrival-rate, rate: 5, maxInFlight: 7 }\n`,
    );
    const plan = buildLoadPlan(
      { target: 'http://localhost:2', rate: 50, durationMs: 2000, seed: 9, journey: 'single' },
      profile,
    );
    expect(plan.executor).toEqual({
      kind: 'constant-arrival-rate',
      rate: 50,
      timeUnitMs: 1000,
      durationMs: 2000,
      maxInFlight: 7,
    });
    expect(plan.journey).toMatchObject({ target: 'http://localhost:2', seed: 9, kind: 'single' });
  });

  it('takes --vus alone as constant VUs, as k6 does', () => {
    expect(buildLoadPlan({ target: 'http://127.0.0.1:1', vus: 4 }).executor).toEqual({
      kind: 'constant-vus',
      vus: 4,
      durationMs: 30_000,
    });
  });

  it.each([
    [
      { target: 'file:///etc/passwd' },
      '--target "file:///etc/passwd": expected an http(s) URL such as http://127.0.0.1:8080',
    ],
    [
      { executor: 'constant-vus' as const, rate: 5 },
      '--rate does not apply to constant-vus: it sets arrival-rate executors',
    ],
    [
      { executor: 'ramping-vus' as const },
      'ramping-vus needs stages: give a --profile whose executor has them, or --preset flash-sale|spike|hot-product',
    ],
    [
      { preset: 'spike' as const, executor: 'constant-vus' as const },
      '--preset spike chooses the executor: drop --executor constant-vus',
    ],
    [{ durationMs: 25 * 3600_000 }, 'the run would last 1d1h: a run lasts at most 24h'],
  ])('refuses %o', (flags, message) => {
    expect(() => buildLoadPlan({ target: 'http://127.0.0.1:1', ...flags })).toThrow(new UsageError(message));
  });

  it('needs a target from the flags or the profile', () => {
    expect(() => buildLoadPlan({})).toThrow(
      new UsageError('no target: give --target URL, or a --profile with target'),
    );
  });
});

describe('presets', () => {
  const base = { rate: 20, timeUnitMs: 1000, durationMs: 60_000, maxInFlight: 100 };
  const shape = (executor: ExecutorConfig) =>
    executor.kind === 'ramping-arrival-rate'
      ? [executor.startRate, ...executor.stages.map((s) => `${s.durationMs}ms→${s.target}`)]
      : executor;

  it('steady holds the base rate', () => {
    expect(presetExecutor('steady', base)).toEqual({ kind: 'constant-arrival-rate', ...base });
  });

  it('flash-sale ramps to 10× over the first quarter and holds', () => {
    expect(shape(presetExecutor('flash-sale', base))).toEqual([20, '15000ms→200', '45000ms→200']);
  });

  it('spike jumps to 10× for a tenth of the run and comes back', () => {
    expect(shape(presetExecutor('spike', base))).toEqual([
      20,
      '24000ms→20',
      '3000ms→200',
      '6000ms→200',
      '3000ms→20',
      '24000ms→20',
    ]);
  });

  it('stages always add up to the run, and --preset takes rate and duration from flags', () => {
    const plan = buildLoadPlan({ target: 'http://127.0.0.1:1', preset: 'spike', rate: 3, durationMs: 1001 });
    expect(
      plan.executor.kind === 'ramping-arrival-rate' &&
        plan.executor.stages.reduce((a, s) => a + s.durationMs, 0),
    ).toBe(1001);
    expect(plan.executor).toMatchObject({ startRate: 3, maxInFlight: 100 });
  });
});
