/** In-process knobs for tests and game days; network faults belong to the chaos proxies. */
export interface VendorBehaviour {
  /** Time between receiving a create and committing it, while its idempotency key is held. */
  readonly processingMs?: number;
  /** Delay of each create answer (fresh or replayed) after the commit: "timed out, but charged". */
  readonly responseDelayMs?: number;
  /** Answer the next `count` create requests with `status` before any processing or key storage. */
  readonly failNext?: { readonly count: number; readonly status: number };
}

export interface BehaviourState {
  set(behaviour: VendorBehaviour): void;
  processingMs(): number;
  responseDelayMs(): number;
  /** Uses up one injected failure and returns its status. */
  takeFailure(): number | undefined;
}

function checkDelay(name: string, ms: number | undefined): void {
  if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0)) {
    throw new RangeError(`${name} must be a non-negative number of milliseconds, got ${ms}`);
  }
}

const isErrorStatus = (status: number): boolean => Number.isInteger(status) && status >= 400 && status <= 599;

export function createBehaviourState(processingMs: number): BehaviourState {
  checkDelay('processingMs', processingMs);
  let current = { processingMs, responseDelayMs: 0 };
  let failure: { count: number; status: number } = { count: 0, status: 500 };
  return {
    set(behaviour) {
      checkDelay('processingMs', behaviour.processingMs);
      checkDelay('responseDelayMs', behaviour.responseDelayMs);
      const failNext = behaviour.failNext;
      if (failNext !== undefined) {
        if (!Number.isInteger(failNext.count) || failNext.count < 0) {
          throw new RangeError(`failNext.count must be a non-negative integer, got ${failNext.count}`);
        }
        if (!isErrorStatus(failNext.status)) {
          throw new RangeError(
            `failNext.status must be an HTTP error status (400-599), got ${failNext.status}`,
          );
        }
        failure = { count: failNext.count, status: failNext.status };
      }
      current = {
        processingMs: behaviour.processingMs ?? current.processingMs,
        responseDelayMs: behaviour.responseDelayMs ?? current.responseDelayMs,
      };
    },
    processingMs: () => current.processingMs,
    responseDelayMs: () => current.responseDelayMs,
    takeFailure() {
      if (failure.count === 0) return undefined;
      failure.count -= 1;
      return failure.status;
    },
  };
}
