import type { AlertState, AlertTransition } from '../journal.js';

/**
 * One alert's state as Prometheus' rule manager keeps it (rules/alerting.go, `AlertingRule.Eval`):
 * the first evaluation whose expression has a result makes it pending (its `activeAt`); it fires
 * at the first evaluation at least `for` after that, in the same evaluation when there is no `for`;
 * the first evaluation without a result makes it inactive again (resolved when it was firing,
 * dropped when it was only pending).
 */
export interface AlertStateMachine {
  /** Feeds one evaluation; returns the state after it. */
  evaluate(active: boolean, atMs: number): AlertState;
  readonly state: AlertState;
  /** Changes of state, oldest first; a pending that fires in the same evaluation records only `firing`. */
  readonly transitions: readonly AlertTransition[];
  /** When the condition first held (Prometheus' `activeAt` of the first episode). */
  readonly firstActiveMs: number | undefined;
  readonly firstFiringMs: number | undefined;
}

export function createAlertStateMachine(forMs: number): AlertStateMachine {
  let state: AlertState = 'inactive';
  let activeAtMs = 0;
  let firstActiveMs: number | undefined;
  let firstFiringMs: number | undefined;
  const transitions: AlertTransition[] = [];

  const enter = (next: AlertState, atMs: number): void => {
    const last = transitions.at(-1);
    // pending → firing within one evaluation is one visible change, as ALERTS shows it.
    if (last && last.atMs === atMs && last.state === 'pending') transitions.pop();
    transitions.push({ atMs, state: next });
    state = next;
  };

  return {
    evaluate(active, atMs) {
      if (!active) {
        if (state !== 'inactive') enter('inactive', atMs);
        return state;
      }
      if (state === 'inactive') {
        activeAtMs = atMs;
        firstActiveMs ??= atMs;
        enter('pending', atMs);
      }
      if (state === 'pending' && atMs - activeAtMs >= forMs) {
        firstFiringMs ??= atMs;
        enter('firing', atMs);
      }
      return state;
    },
    get state() {
      return state;
    },
    transitions,
    get firstActiveMs() {
      return firstActiveMs;
    },
    get firstFiringMs() {
      return firstFiringMs;
    },
  };
}
