import type { JourneyConfig } from '../plan.js';
import { pickWeighted, randomHex, seededRandom } from '../../core/rng.js';
import { popularityPicker } from './popularity.js';

/** How far down the funnel an iteration goes: the step after which it stops. */
export type FunnelDepth = 'browse' | 'add-to-cart' | 'checkout';

/** Everything random about one iteration, drawn before its first request. */
export interface IterationPlan {
  readonly segment: string;
  readonly depth: FunnelDepth;
  /** Sent in `x-session-id`: the cart belongs to it. */
  readonly sessionId: string;
  /** Sent in `Idempotency-Key` on checkout. */
  readonly idempotencyKey: string;
  /** Popularity rank of the product to view: its position in the catalog (see popularity.ts). */
  readonly productRank: number;
  /** Pay with a token the vendor declines (drawn last, so adding it changed no earlier draw). */
  readonly declined: boolean;
}

export interface IterationPlanner {
  /** The plan of the iteration numbered `iteration` in the whole run (all workers together). */
  plan(iteration: number): IterationPlan;
  /** Only the segment of that iteration (the plan's first draw, so the two agree), for the single journey. */
  segment(iteration: number): string;
}

/**
 * Draws each iteration's choices from its own seeded stream. `runNonce` prefixes session ids and
 * idempotency keys: a second run with the same seed replays the same journeys, but against a store
 * that remembers keys it must not replay the same checkouts (they would be answered from the
 * idempotency cache and never charged).
 */
export function iterationPlanner(config: JourneyConfig, runNonce: string): IterationPlanner {
  const segments = Object.entries(config.segmentMix);
  const depths: readonly (readonly [FunnelDepth, number])[] = [
    ['browse', config.funnel.browse],
    ['add-to-cart', config.funnel.addToCart],
    ['checkout', config.funnel.checkout],
  ];
  const rankOf = popularityPicker(config.products);
  return {
    plan(iteration) {
      const random = seededRandom(config.seed, iteration);
      // Draw order is part of the replay contract: changing it changes every seeded run.
      const segment = pickWeighted(random, segments);
      const depth = pickWeighted(random, depths);
      const productRank = rankOf(random.next());
      const sessionId = `${runNonce}-${randomHex(random, 16)}`;
      const idempotencyKey = `${runNonce}-${randomHex(random, 32)}`;
      const declined = random.next() < config.declineShare;
      return { segment, depth, sessionId, idempotencyKey, productRank, declined };
    },
    segment: (iteration) => pickWeighted(seededRandom(config.seed, iteration), segments),
  };
}
