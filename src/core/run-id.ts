import type { Clock } from './clock.js';
import { randomHex, type Random } from './rng.js';

/**
 * Run ids name a load run, a chaos injection or a game day in files, labels and journals:
 * `<kind>-<UTC time to the second>-<hex>` (`gameday-20261207t101500z-3fa9c2`), sortable by time,
 * unique across processes through the random part. Clock and randomness come in, so a test or a
 * replayed game day gets the id it expects.
 */
export function mintRunId(kind: string, clock: Clock, random: Random, hexDigits = 6): string {
  const stamp = new Date(clock.now())
    .toISOString()
    .replace(/[-:]|\.\d+/g, '')
    .toLowerCase();
  return `${kind}-${stamp}-${randomHex(random, hexDigits)}`;
}

/** Random draws for ids from the operating system: ids must differ between runs with the same seed. */
export function cryptoRandom(): Random {
  const nextUint32 = (): number => crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return { nextUint32, next: () => nextUint32() / 0x1_0000_0000 };
}
