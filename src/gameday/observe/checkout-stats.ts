/** Checkouts of one segment over a span of time, from either view: what steady state and stop conditions read. */
export interface CheckoutStats {
  readonly requests: number;
  /** Bad answers as the SLI counts them: 5xx, timeouts, connection errors. */
  readonly errors: number;
  /** Out of stock, declined, pending: answered, not failed. */
  readonly business: number;
  readonly p95Ms: number | undefined;
}
