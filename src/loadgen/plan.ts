import type { SleepingClock } from '../core/clock.js';
import type { BusinessOutcome, ErrorKind } from './results.js';

/**
 * The contract between the parts of the load generator: the executor engine paces iterations, the
 * journey sends requests and reports samples, the recorder turns samples into results. All of it is
 * plain data so a game day can drive a run in-process.
 */

/** A stage of a ramping executor: move linearly to `target` over `durationMs`. */
export interface Stage {
  readonly durationMs: number;
  readonly target: number;
}

/** k6's executor vocabulary: open model (arrival rate) and closed model (virtual users). */
export type ExecutorConfig =
  | {
      readonly kind: 'constant-arrival-rate';
      /** Iterations started per `timeUnitMs`. */
      readonly rate: number;
      readonly timeUnitMs: number;
      readonly durationMs: number;
      /**
       * Iterations allowed in flight at once (k6's maxVUs); past it, starts wait and count as late.
       * An iteration that cannot start before the run ends (or within its wait bound) is dropped.
       */
      readonly maxInFlight: number;
    }
  | {
      readonly kind: 'ramping-arrival-rate';
      readonly startRate: number;
      readonly timeUnitMs: number;
      readonly stages: readonly Stage[];
      readonly maxInFlight: number;
    }
  | { readonly kind: 'constant-vus'; readonly vus: number; readonly durationMs: number }
  | { readonly kind: 'ramping-vus'; readonly startVus: number; readonly stages: readonly Stage[] };

export type ExecutorKind = ExecutorConfig['kind'];

/** One HTTP request's outcome, tagged for the per-step × segment histograms. */
export interface Sample {
  readonly step: string;
  readonly segment: string;
  /**
   * Milliseconds. For the first request of an open-model iteration this counts from the iteration's
   * *intended* start, so time spent waiting for a free slot is part of it (coordinated omission).
   */
  readonly latencyMs: number;
  /** Undefined when the request succeeded, or ended in a business outcome. */
  readonly error?: ErrorKind;
  /** The answer's HTTP status; undefined when no answer came (timeout, connection error). */
  readonly status?: number;
  /** Set when the answer is about the order (out of stock, declined, pending) rather than a failure. */
  readonly outcome?: BusinessOutcome;
  /** Milliseconds since the run started, when the request finished (for the per-second series). */
  readonly endedAtMs: number;
}

/** What the engine hands one iteration. */
export interface IterationContext {
  readonly iteration: number;
  /** Milliseconds since the run started at which this iteration should have started. */
  readonly scheduledAtMs: number;
  /** Milliseconds since the run started at which it actually started (>= scheduledAtMs). */
  readonly startedAtMs: number;
  /**
   * The run's signal: one object shared by every iteration (a controller per iteration costs about
   * 4 µs), aborted when the run ends or is cancelled; in-flight requests stop.
   */
  readonly signal: AbortSignal;
  record(sample: Sample): void;
}

/**
 * One iteration of a journey (the checkout funnel, or a single GET). What it resolves to is ignored,
 * so a one-request journey can hand back its request's own promise instead of wrapping it.
 */
export type IterationRunner = (ctx: IterationContext) => Promise<unknown>;

/**
 * The engine's clock: core's sleeping clock read as monotonic milliseconds (`systemMonotonicClock`
 * answers performance.now()), injected so the engine runs under a fake clock in tests.
 */
export type MonotonicClock = SleepingClock;

/**
 * The reference store's API as the checkout journey uses it (the store issue builds to it):
 * `GET /api/products?limit=20` (browse), `GET /api/products/:id` (product),
 * `POST /api/cart/items` `{ productId, quantity }` (add-to-cart), `GET /api/cart` (cart),
 * `POST /api/checkout` with an `Idempotency-Key` header and the body `{ "paymentToken": "tok_test_visa" }`
 * (a test token, never card data) (checkout). The cart belongs to the session in `x-session-id`; the
 * segment travels in `x-customer-segment`. `--journey single` records its samples under step `single`.
 */
export const journeySteps = ['browse', 'product', 'add-to-cart', 'cart', 'checkout'] as const;
export type JourneyStep = (typeof journeySteps)[number];

/** Everything a worker thread needs to build the same journey: plain, serializable data. */
export interface JourneyConfig {
  readonly kind: 'checkout' | 'single';
  /** Base URL (checkout) or the URL to GET (single). */
  readonly target: string;
  readonly seed: number;
  /** Segment weights, e.g. { guest: 60, member: 35, vip: 5 }. */
  readonly segmentMix: Readonly<Record<string, number>>;
  /** Relative weights of iterations that stop after browsing, after adding to cart, or check out. */
  readonly funnel: { readonly browse: number; readonly addToCart: number; readonly checkout: number };
  readonly requestTimeoutMs: number;
  /** Header carrying the segment; `x-customer-segment`. */
  readonly segmentHeader: string;
  /** Which product an iteration views: Zipf popularity over the catalog (see journey/popularity.ts). */
  readonly products: ProductPopularity;
  /** Share of checkouts, 0 to 1, paying with a token the vendor declines; default 0. */
  readonly declineShare: number;
}

export interface ProductPopularity {
  /** Products in the store's catalog (the reference store seeds 2000); picks never go past it. */
  readonly count: number;
  /**
   * Zipf exponent: the product of popularity rank k is picked with weight 1/k^skew. 0 is uniform; 1 is
   * the classic long tail; 1.5 and above put a large share on a few products (a hot product).
   */
  readonly skew: number;
}

/** A whole run: what `load run` executes and what `load k6` translates. */
export interface LoadPlan {
  readonly executor: ExecutorConfig;
  readonly journey: JourneyConfig;
  /** Latency thresholds (ms) recorded as cumulative buckets in the results, for latency SLIs. */
  readonly latencyBucketsMs: readonly number[];
  /** Steps with a per-second series of their own per segment in the results (default none). */
  readonly seriesSteps?: readonly string[];
}
