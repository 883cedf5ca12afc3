/** SIGINT and SIGTERM as a parameter, so tests send them without touching the process. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export const stopSignals = ['SIGINT', 'SIGTERM'] as const;

/**
 * Aborts the returned signal on the first SIGINT or SIGTERM. The listeners go at once, so a second
 * Ctrl+C falls through to Node's default and ends the process immediately.
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
