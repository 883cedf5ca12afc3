import { describe, expect, it } from 'vitest';
import { renderK6Script } from '../../../src/loadgen/k6/script.js';
import { expectGolden } from '../../helpers/golden.js';
import { exampleSlos, plan } from './fixtures.js';

/**
 * A reviewed script, not captured output: read line by line against the journey (src/loadgen/journey/)
 * and the SLOs (examples/checkout.slo.yaml), type-checked (type-check.test.ts) and run against the
 * fake store (journey-equivalence.test.ts). It changes only with UPDATE_GOLDEN=1.
 */

describe('the k6 script of a ramping checkout run gated on the example SLOs', () => {
  it('matches the reviewed golden file', async () => {
    const script = renderK6Script(plan('ramping-arrival-rate'), await exampleSlos(), {
      version: '0.0.0-golden',
    });
    expectGolden('loadgen', 'checkout-ramping-arrival-rate.k6.js', script);
  });

  it('renders the same bytes for the same inputs', async () => {
    const slos = await exampleSlos();
    const render = () => renderK6Script(plan('ramping-arrival-rate'), slos, { version: '0.0.0-golden' });
    expect(render()).toBe(render());
  });
});
