/**
 * Runs at most `limit` of the tasks handed to it at once; the others wait in the order they came.
 * A task that throws frees its slot like one that returns.
 */
export function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`a concurrency limit is a whole number ≥ 1, not ${limit}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A slot freed while tasks wait is handed to the first of them as is, never counted free in
    // between: a task arriving at that moment would otherwise take it too.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
