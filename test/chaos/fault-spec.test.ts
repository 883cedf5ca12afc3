import { describe, expect, it } from 'vitest';
import { catalogue, faultNames } from '../../src/chaos/catalogue.js';
import { resolveFaultSpec } from '../../src/chaos/fault-spec.js';
import { UsageError } from '../../src/core/errors.js';

describe('resolving a fault as the user names it', () => {
  it('applies every default, and every fault has a description, a maximum and a default duration', () => {
    for (const name of faultNames) {
      const spec = resolveFaultSpec(name, [], undefined);
      const definition = catalogue[name];
      expect(definition.description.length).toBeGreaterThan(10);
      expect(spec.durationMs).toBe(definition.defaultDurationMs);
      expect(spec.durationMs).toBeLessThanOrEqual(definition.maxDurationMs);
      expect(Object.keys(spec.params).sort()).toEqual(Object.keys(definition.params).sort());
    }
  });

  it('reads --param pairs, numbers as numbers, and picks the dependency they name', () => {
    const spec = resolveFaultSpec('vendor-outage', ['vendor=backup', 'rate=0.25', 'mode=hang'], '2m');
    expect(spec).toMatchObject({
      fault: 'vendor-outage',
      target: 'vendor-backup',
      durationMs: 120_000,
      params: { vendor: 'backup', rate: 0.25, mode: 'hang', status: 503, firstN: 0 },
    });
    expect(resolveFaultSpec('partition', ['dependency=cdn-edge'], '10s').target).toBe('cdn-edge');
    expect(resolveFaultSpec('cdn-slowness', ['where=edge'], '10s').target).toBe('cdn-edge');
    expect(resolveFaultSpec('cdn-slowness', [], '10s').target).toBe('cdn-origin');
  });

  const refusals: [string, string, string[], string | undefined, RegExp][] = [
    [
      'an unknown fault, with a suggestion',
      'vendor-outtage',
      [],
      undefined,
      /unknown fault "vendor-outtage".*did you mean "vendor-outage"/,
    ],
    [
      'an unknown parameter, with a suggestion',
      'vendor-outage',
      ['rat=1'],
      undefined,
      /no parameter "rat".*did you mean "rate"/,
    ],
    ['a value out of bounds', 'vendor-outage', ['rate=1.5'], undefined, /rate must be from 0 to 1/],
    ['a number that is not one', 'db-latency', ['latencyMs=fast'], undefined, /latencyMs is a number/],
    [
      'a choice not offered',
      'vendor-outage',
      ['mode=explode'],
      undefined,
      /mode is one of error, hang, reset/,
    ],
    ['a pair without =', 'vendor-outage', ['rate'], undefined, /expected name=value/],
    ['a duration that is not one', 'vendor-outage', [], 'soon', /--for "soon"/],
    ['a duration past the maximum', 'db-failover', [], '2h', /lasts at most 30m/],
  ];
  for (const [what, fault, params, duration, message] of refusals) {
    it(`refuses ${what} (exit 2)`, () => {
      let error: unknown;
      try {
        resolveFaultSpec(fault, params, duration);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
    });
  }
});
