import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import type { PaymentAttemptOutcome, StoreMetrics } from '../metrics.js';
import { withSpan } from '../tracing.js';
import { VendorError, type CreateIntentRequest, type VendorClient } from './vendor-client.js';

export interface PaymentPolicyOptions {
  /** One call's bound; default 2000 ms. */
  readonly timeoutMs?: number;
  /** Retries at the same vendor, with the same idempotency key; default 2. */
  readonly retries?: number;
  /** First backoff delay (decorrelated jitter after it); default 50 ms. */
  readonly backoffInitialMs?: number;
  /** Consecutive failures that open a vendor's breaker; default 5. */
  readonly breakerFailures?: number;
  /** Time an open breaker waits before letting one call through (half-open); default 5000 ms. */
  readonly breakerHalfOpenAfterMs?: number;
  /** Calls in flight per vendor (bulkhead); default 32, with as many queued. */
  readonly concurrency?: number;
}

/** What one checkout's payment came to, after retries and failover. */
export type PaymentOutcome =
  | { readonly status: 'paid'; readonly provider: string; readonly intentId: string }
  | { readonly status: 'declined'; readonly provider: string }
  /** The charge may have happened: the order waits for reconciliation (never a second charge). */
  | { readonly status: 'unknown'; readonly provider: string; readonly reason: string }
  /** No vendor took the payment and none charged: the checkout can be retried later. */
  | { readonly status: 'unavailable'; readonly reason: string };

export interface PaymentAttempt {
  readonly provider: string;
  readonly outcome: PaymentAttemptOutcome;
  readonly intentId?: string;
  readonly error?: string;
}

export interface PaymentGateway {
  /** Pays an order through the first vendor that takes it; `onAttempt` sees every attempt (for the journal of payments). */
  pay(request: CreateIntentRequest, onAttempt: (attempt: PaymentAttempt) => void): Promise<PaymentOutcome>;
  readonly vendors: readonly VendorClient[];
  /** Breaker state per vendor, for /readyz and tests. */
  breakerStates(): Record<string, 'closed' | 'open' | 'half-open' | 'isolated'>;
  close(): Promise<void>;
}

interface GuardedVendor {
  readonly client: VendorClient;
  readonly breaker: CircuitBreakerPolicy;
  readonly policy: IPolicy;
}

const breakerStateNames = ['closed', 'open', 'half-open', 'isolated'] as const;

/**
 * Each vendor behind its own policies (cockatiel), outermost first: retry with backoff and jitter →
 * circuit breaker → bulkhead → timeout. Vendors are tried in order (primary, then backup), but only
 * when the one before certainly did not charge; an ambiguous failure is looked up at that vendor and
 * otherwise left for the reconciler.
 */
export function createPaymentGateway(
  vendors: readonly VendorClient[],
  options: PaymentPolicyOptions,
  metrics: StoreMetrics,
): PaymentGateway {
  const guarded = vendors.map((client) => guardVendor(client, options, metrics));
  return {
    vendors,
    breakerStates: () =>
      Object.fromEntries(guarded.map((v) => [v.client.name, breakerStateNames[v.breaker.state] ?? 'closed'])),
    async pay(request, onAttempt) {
      let reason = 'no payment vendor configured';
      for (const vendor of guarded) {
        const outcome = await payAt(vendor, request, options, metrics, onAttempt);
        if (outcome.status !== 'unavailable') return outcome;
        reason = outcome.reason;
      }
      return { status: 'unavailable', reason };
    },
    async close() {
      await Promise.all(vendors.map((v) => v.close()));
    },
  };
}

function guardVendor(
  client: VendorClient,
  options: PaymentPolicyOptions,
  metrics: StoreMetrics,
): GuardedVendor {
  const isVendorFailure = (error: Error): boolean =>
    error instanceof TaskCancelledError || (error instanceof VendorError && error.kind !== 'rejected');
  const retryPolicy = retry(handleWhen(isVendorFailure), {
    maxAttempts: options.retries ?? 2,
    backoff: new ExponentialBackoff({ initialDelay: options.backoffInitialMs ?? 50, maxDelay: 1000 }),
  });
  const breaker = circuitBreaker(handleWhen(isVendorFailure), {
    halfOpenAfter: options.breakerHalfOpenAfterMs ?? 5000,
    breaker: new ConsecutiveBreaker(options.breakerFailures ?? 5),
  });
  metrics.breakerState.set({ provider: client.name }, 0);
  breaker.onStateChange((state) => {
    metrics.breakerState.set({ provider: client.name }, Math.min(state, 2));
  });
  const concurrency = options.concurrency ?? 32;
  const policy = wrap(
    retryPolicy,
    breaker,
    bulkhead(concurrency, concurrency),
    timeout(options.timeoutMs ?? 2000, TimeoutStrategy.Aggressive),
  );
  return { client, breaker, policy };
}

async function payAt(
  vendor: GuardedVendor,
  request: CreateIntentRequest,
  options: PaymentPolicyOptions,
  metrics: StoreMetrics,
  onAttempt: (attempt: PaymentAttempt) => void,
): Promise<PaymentOutcome> {
  const provider = vendor.client.name;
  const record = (
    outcome: PaymentAttemptOutcome,
    startedAt: number,
    extra: Partial<PaymentAttempt> = {},
  ): void => {
    metrics.paymentAttempts.inc({ provider, outcome });
    metrics.paymentDuration.observe({ provider, outcome }, (performance.now() - startedAt) / 1000);
    onAttempt({ provider, outcome, ...extra });
  };
  // Once one attempt may have charged, this order must not be paid anywhere else.
  let mayHaveCharged = false;
  try {
    const result = await vendor.policy.execute(({ signal }) => {
      const startedAt = performance.now();
      return withSpan('payment.create_intent', { 'payment.provider': provider }, () =>
        vendor.client.createIntent(request, signal),
      ).then(
        (value) => {
          record(value.kind === 'succeeded' ? 'succeeded' : 'declined', startedAt, {
            intentId: value.intentId,
          });
          return value;
        },
        (error: unknown) => {
          if (!(error instanceof VendorError) || error.kind === 'ambiguous') mayHaveCharged = true;
          record(attemptOutcome(error), startedAt, { error: describe(error) });
          throw error;
        },
      );
      // A signal of this payment's own: without one, cockatiel hangs every timeout's listener on one
      // shared never-aborted signal (Node then warns of a listener leak past 10 payments in flight).
    }, new AbortController().signal);
    return result.kind === 'succeeded'
      ? { status: 'paid', provider, intentId: result.intentId }
      : { status: 'declined', provider };
  } catch (error) {
    if (mayHaveCharged) {
      return lookUpAfterAmbiguousFailure(
        vendor.client,
        request.orderId,
        options.timeoutMs ?? 2000,
        describe(error),
      );
    }
    if (error instanceof BrokenCircuitError || error instanceof BulkheadRejectedError) {
      record(error instanceof BrokenCircuitError ? 'circuit_open' : 'bulkhead_full', performance.now());
      return { status: 'unavailable', reason: `${provider}: ${describe(error)}` };
    }
    if (error instanceof VendorError && error.kind === 'not-processed') {
      return { status: 'unavailable', reason: describe(error) };
    }
    if (error instanceof VendorError && error.kind === 'rejected') {
      // The vendor refused the request itself: no charge, and another vendor would refuse it too.
      return { status: 'unavailable', reason: describe(error) };
    }
    return lookUpAfterAmbiguousFailure(
      vendor.client,
      request.orderId,
      options.timeoutMs ?? 2000,
      describe(error),
    );
  }
}

/** Timed out or ambiguous: the vendor may have charged. Look once; never pay elsewhere. */
async function lookUpAfterAmbiguousFailure(
  client: VendorClient,
  orderId: string,
  timeoutMs: number,
  reason: string,
): Promise<PaymentOutcome> {
  try {
    const intents = await client.findIntentsByOrder(orderId, AbortSignal.timeout(timeoutMs));
    const paid = intents.find((intent) => intent.status === 'succeeded');
    if (paid) return { status: 'paid', provider: client.name, intentId: paid.id };
  } catch {
    // Unreachable for the lookup too: the reconciler will ask again later.
  }
  return { status: 'unknown', provider: client.name, reason };
}

function attemptOutcome(error: unknown): PaymentAttemptOutcome {
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof VendorError) {
    if (error.kind === 'rejected') return 'rejected';
    if (/abort|timeout/i.test(error.message)) return 'timeout';
  }
  return 'error';
}

function describe(error: unknown): string {
  if (error instanceof TaskCancelledError) return 'timed out';
  return error instanceof Error ? error.message : String(error);
}
