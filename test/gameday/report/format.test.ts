import { describe, expect, it } from 'vitest';
import { duration, money, num, percent, utc } from '../../../src/gameday/report/format.js';

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
    expect(num(0.0004)).toBe('0.0004');
    expect(num(14.4)).toBe('14.4');
    expect(utc(Date.UTC(2025, 0, 15, 10, 1, 5, 920))).toBe('2025-01-15 10:01:05.920Z');
  });
});
