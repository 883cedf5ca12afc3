import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { seededRandom } from '../../src/core/rng.js';
import { cryptoRandom, mintRunId } from '../../src/core/run-id.js';

describe('run ids', () => {
  it('are the kind, the UTC second and random hex: sortable by time, the same for the same clock and draws', () => {
    const clock = fixedClock(Date.UTC(2026, 11, 7, 10, 15, 0, 123));
    const id = mintRunId('gameday', clock, seededRandom(7));
    expect(id).toMatch(/^gameday-20261207t101500z-[0-9a-f]{6}$/);
    expect(mintRunId('gameday', clock, seededRandom(7))).toBe(id);
    expect(mintRunId('gameday', clock, seededRandom(8))).not.toBe(id);
    const later = mintRunId('gameday', fixedClock(Date.UTC(2026, 11, 7, 10, 15, 1)), seededRandom(7));
    expect([later, id].sort()).toEqual([id, later]);
  });

  it('differ between two calls with the system random source', () => {
    const clock = fixedClock(0);
    expect(mintRunId('chaos', clock, cryptoRandom())).not.toBe(mintRunId('chaos', clock, cryptoRandom()));
  });
});
