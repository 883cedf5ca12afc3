import { describe, expect, it } from 'vitest';
import { createJourney } from '../../../src/loadgen/journey/index.js';
import type { JourneyConfig, Sample } from '../../../src/loadgen/plan.js';
import { Recorder } from '../../../src/loadgen/recorder.js';
import { renderLoadSummary } from '../../../src/loadgen/summary-table.js';
import { checkoutConfig, iterationContext } from './context.js';
import { fakeStore, inMemoryClient } from './fake-store.js';

/** Every iteration checks out, against a store whose checkout answers as `answer` says. */
async function checkouts(
  answer: { status: number; body: string } | undefined,
  config: Partial<JourneyConfig> = {},
) {
  const store = fakeStore();
  if (answer) store.fail('checkout', answer);
  const samples: Sample[] = [];
  const journey = createJourney(
    { ...checkoutConfig, funnel: { browse: 0, addToCart: 0, checkout: 1 }, ...config },
    { workerIndex: 0, workerCount: 1, client: inMemoryClient(store), runNonce: 'n' },
  );
  for (let i = 0; i < 40; i++) await journey(iterationContext(i, samples));
  await journey.close();
  return { samples, store };
}

function summarize(samples: readonly Sample[]) {
  const recorder = new Recorder({ latencyBucketsMs: [100] });
  for (const sample of samples)
    recorder.record(sample, { firstOfIteration: sample.step === 'browse', firstOfStep: true });
  return recorder.toResults({
    id: 'r',
    startedAt: '2025-06-01T10:00:00.000Z',
    durationMs: 1000,
    target: 'http://127.0.0.1:1',
    executor: 'constant-arrival-rate',
    seed: 7,
  });
}

describe('business outcomes of a checkout are answers, not errors', () => {
  it('409 out of stock and 402 declined are counted apart, with their status, and are no error', async () => {
    for (const [status, outcome] of [
      [409, 'outOfStock'],
      [402, 'declined'],
    ] as const) {
      const { samples } = await checkouts({ status, body: '{"title":"no"}' });
      const checkout = samples.filter((s) => s.step === 'checkout');
      expect(checkout).toHaveLength(40);
      expect(
        checkout.every((s) => s.outcome === outcome && s.error === undefined && s.status === status),
      ).toBe(true);
      const results = summarize(samples);
      expect(results.totals.errors).toBe(0);
      expect(results.byStep.checkout?.businessOutcomes).toEqual({
        outOfStock: outcome === 'outOfStock' ? 40 : 0,
        declined: outcome === 'declined' ? 40 : 0,
        pending: 0,
      });
      expect(results.byStep.checkout?.byStatus).toEqual({ [String(status)]: 40 });
    }
  });

  it('202 pending passes its check and is counted as pending; a 409 elsewhere in the funnel is still an error', async () => {
    const pending = await checkouts({ status: 202, body: '{"orderId":"o-1","status":"payment_unknown"}' });
    expect(summarize(pending.samples).byStep.checkout?.businessOutcomes?.pending).toBe(40);
    expect(pending.samples.every((s) => s.error === undefined)).toBe(true);

    const store = fakeStore();
    store.fail('add-to-cart', { status: 409, body: '{}' });
    const samples: Sample[] = [];
    const journey = createJourney(
      { ...checkoutConfig, funnel: { browse: 0, addToCart: 0, checkout: 1 } },
      { workerIndex: 0, workerCount: 1, client: inMemoryClient(store), runNonce: 'n' },
    );
    await journey(iterationContext(0, samples));
    expect(samples.find((s) => s.step === 'add-to-cart')).toMatchObject({ error: 'http4xx', status: 409 });
  });

  it('the end-of-run table shows them in their own columns, apart from ERRORS', async () => {
    const { samples } = await checkouts({ status: 409, body: '{}' });
    const table = renderLoadSummary(summarize(samples));
    const header = table.split('\n')[0] ?? '';
    // The last row: the whole run.
    const totalRow = table.trimEnd().split('\n').at(-1) ?? '';
    const column = (title: string) =>
      totalRow.slice(header.indexOf(title), header.indexOf(title) + title.length).trim();
    expect(column('ERRORS')).toBe('0');
    expect(column('OUT-OF-STOCK')).toBe('40');
    expect(column('DECLINED')).toBe('0');
  });

  it('a share of checkouts pays with the token the vendor declines, drawn from the seed', async () => {
    const tokens = async (declineShare: number) =>
      (await checkouts(undefined, { declineShare })).store.seen
        .filter((r) => r.step === 'checkout')
        .map((r) => (JSON.parse(r.body) as { paymentToken: string }).paymentToken);
    expect(new Set(await tokens(0))).toEqual(new Set(['tok_test_visa']));
    expect(new Set(await tokens(1))).toEqual(new Set(['tok_chargeDeclined']));
    const some = await tokens(0.5);
    expect(some).toEqual(await tokens(0.5));
    expect(new Set(some)).toEqual(new Set(['tok_test_visa', 'tok_chargeDeclined']));
  });
});
