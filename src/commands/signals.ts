/** The stop signals as a parameter, so tests send them without touching the process. */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

/** Ctrl+C, a polite kill, and the terminal going away (an ssh session dropped). */
export const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof stopSignals)[number];

/**
 * Aborts the returned signal on the first SIGINT, SIGTERM or SIGHUP: a fault held, a game day or a
 * load run then reverts and reports rather than dying with its terminal. The listeners go at once,
 * so a second Ctrl+C falls through to Node's default and ends the process immediately.
 */
export function abortOnStopSignal(signals: SignalSource): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    dispose();
    controller.abort();
  };
  const dispose = (): void => {
    for (const name of stopSignals) signals.off(name, onSignal);
  };
  for (const name of stopSignals) signals.on(name, onSignal);
  return { signal: controller.signal, dispose };
}
