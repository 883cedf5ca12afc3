/**
 * Seeded randomness for the load journey mix and the store's seeded catalog. xoshiro128** (Blackman
 * and Vigna, https://prng.di.unimi.it/) rather than mulberry32: it has a 128-bit state and passes BigCrush,
 * and it is a few integer operations per draw in 32-bit arithmetic, which JavaScript does natively with `Math.imul`.
 * Its state is filled from the seed with splitmix32, the seeding its authors recommend.
 *
 * Each iteration draws from its own stream, keyed by seed and iteration number, so what an iteration
 * does never depends on which iterations happened to run before it: the same seed replays the same
 * journeys whatever the timing, the concurrency or the number of worker threads.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
}

export function seededRandom(seed: number, stream = 0): Random {
  let mix = 0;
  const splitmix32 = (input: number): number => {
    mix = (mix + 0x9e3779b9 + input) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  // Both 32-bit halves of seed and stream count, so large seeds and iteration numbers do not collide.
  splitmix32(lowWord(seed));
  splitmix32(highWord(seed));
  splitmix32(lowWord(stream));
  splitmix32(highWord(stream));
  let a = splitmix32(0);
  let b = splitmix32(0);
  let c = splitmix32(0);
  let d = splitmix32(0);
  const nextUint32 = (): number => {
    const product = Math.imul(b, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return result >>> 0;
  };
  return { nextUint32, next: () => nextUint32() / 0x1_0000_0000 };
}

function lowWord(value: number): number {
  return Math.trunc(value) >>> 0;
}

function highWord(value: number): number {
  return Math.floor(Math.trunc(value) / 0x1_0000_0000) | 0;
}

/** Picks a key with probability proportional to its weight; weights must not all be zero. */
export function pickWeighted<K extends string>(
  random: Random,
  weights: readonly (readonly [K, number])[],
): K {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let point = random.next() * total;
  for (const [key, weight] of weights) {
    if (point < weight) return key;
    point -= weight;
  }
  // Only reached through float rounding at the top end: the last key with weight wins.
  const last = weights.findLast(([, weight]) => weight > 0);
  if (!last) throw new Error('pickWeighted: every weight is zero');
  return last[0];
}

/** `length` lowercase hex digits. */
export function randomHex(random: Random, length: number): string {
  let out = '';
  while (out.length < length) out += random.nextUint32().toString(16).padStart(8, '0');
  return out.slice(0, length);
}
