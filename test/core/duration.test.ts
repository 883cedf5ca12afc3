import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

describe('Prometheus durations', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['30d', 30 * 86_400_000],
    ['4w', 28 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['250ms', 250],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm5', '5M', '1m1h', '0s', '5 m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [86_400_000, '1d'],
    [28 * 86_400_000, '4w'],
    [7 * 86_400_000, '1w'],
    [30 * 86_400_000, '30d'],
    [90 * 86_400_000, '90d'],
    [72 * 3_600_000, '3d'],
    [5_400_000, '1h30m'],
    [365 * 86_400_000, '1y'],
  ])('formats %d ms as %s, with weeks and years only when exact (as Prometheus does)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
