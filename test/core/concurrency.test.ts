import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../src/core/concurrency.js';

/** A task that runs until the test lets it go, counting how many run at once. */
function gate() {
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const release: (() => void)[] = [];
  const task =
    (n: number, fail = false) =>
    async () => {
      running++;
      most = Math.max(most, running);
      order.push(n);
      await new Promise<void>((resolve) => release.push(resolve));
      running--;
      if (fail) throw new Error(`task ${n} failed`);
      return n;
    };
  return { task, release, order, most: () => most };
}

/** Lets queued microtasks (a freed slot waking the next task) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('concurrencyLimit', () => {
  it('runs at most the limit at once, the rest in the order they came', async () => {
    const limit = concurrencyLimit(2);
    const g = gate();
    const results = [1, 2, 3, 4, 5].map((n) => limit(g.task(n)));
    await settle();
    expect(g.order).toEqual([1, 2]);
    g.release.shift()?.();
    await settle();
    expect(g.order).toEqual([1, 2, 3]);
    while (g.order.length < 5 || g.release.length > 0) {
      g.release.shift()?.();
      await settle();
    }
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4, 5]);
    expect(g.order).toEqual([1, 2, 3, 4, 5]);
    expect(g.most()).toBe(2);
  });

  it('hands a freed slot to the first waiting task, not to one that arrives at that moment', async () => {
    const limit = concurrencyLimit(1);
    const g = gate();
    const first = limit(g.task(1));
    const waiting = limit(g.task(2));
    await settle();
    g.release.shift()?.();
    await first;
    // The slot is free only for task 2: task 3, arriving now, waits behind it.
    const late = limit(g.task(3));
    await settle();
    expect(g.order).toEqual([1, 2]);
    expect(g.most()).toBe(1);
    g.release.shift()?.();
    await waiting;
    await settle();
    g.release.shift()?.();
    await expect(late).resolves.toBe(3);
    expect(g.most()).toBe(1);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = concurrencyLimit(1);
    const g = gate();
    const failing = limit(g.task(1, true));
    const next = limit(g.task(2));
    await settle();
    expect(g.order).toEqual([1]);
    g.release.shift()?.();
    await expect(failing).rejects.toThrow('task 1 failed');
    await settle();
    expect(g.order).toEqual([1, 2]);
    g.release.shift()?.();
    await expect(next).resolves.toBe(2);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    expect(() => concurrencyLimit(0)).toThrow(RangeError);
    expect(() => concurrencyLimit(1.5)).toThrow(RangeError);
  });
});
