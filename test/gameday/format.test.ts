import { describe, expect, it } from 'vitest';
import { duration, money, num, percent, utc } from '../../src/gameday/format.js';

describe('report formats', () => {
  it('writes durations as a person reads them', () => {
    expect(duration(80)).toBe('80 ms');
    expect(duration(3_920)).toBe('3.92 s');
    expect(duration(40_400)).toBe('40.4 s');
    expect(duration(41_000)).toBe('41 s');
    expect(duration(41_000 * 60)).toBe('41 min');
    expect(duration(235_200)).toBe('3 min 55 s');
    expect(duration(5_400_000)).toBe('1 h 30 min');
    expect(duration(-2_000)).toBe('−2 s');
  });

  it('writes money from minor units, honouring currencies without cents', () => {
    expect(money(8_741_299, 'EUR')).toBe('87,412.99 EUR');
    expect(money(5, 'USD')).toBe('0.05 USD');
    expect(money(12_000, 'JPY')).toBe('12,000 JPY');
    expect(money(1_500, 'KWD')).toBe('1.500 KWD');
  });

  it('writes ratios and times the same on every machine', () => {
    expect(percent(4.54)).toBe('454%');
    expect(percent(0.0242)).toBe('2.42%');
    expect(percent(0.00012)).toBe('0.012%');
    expect(percent(0.5)).toBe('50%');
    expect(percent(0.995)).toBe('99.5%');
  });

  it('never writes a share just short of a whole as 100%', () => {
    // A VIP success ratio of 99.95 % is a breach of a 99.99 % objective, not a perfect run.
    expect(percent(0.9995)).toBe('99.95%');
    expect(percent(0.99996)).toBe('99.996%');
    expect(percent(0.9999996)).toBe('99.99996%');
    expect(percent(1 - 1e-12)).toBe('>99.9999%');
    expect(percent(1)).toBe('100%');
    expect(num(0.0004)).toBe('0.0004');
    expect(num(14.4)).toBe('14.4');
    expect(utc(Date.UTC(2025, 0, 15, 10, 1, 5, 920))).toBe('2025-01-15 10:01:05.920Z');
  });
});
