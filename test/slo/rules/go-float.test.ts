import { describe, expect, it } from 'vitest';
import { formatGoFixed, formatGoFloat } from '../../../src/slo/rules/go-float.js';

// Expected texts are what Go prints with strconv.FormatFloat(f, 'g', -1, 64) (and fmt's %v / %g).
describe('formatGoFloat prints floats as Go does', () => {
  it.each([
    [(100 - 99.9) / 100, '0.0009999999999999432'],
    [(100 - 99.999) / 100, '1.0000000000047748e-05'],
    [99.9 / 100, '0.9990000000000001'],
    [((10 / 100) * 672) / 24, '2.8000000000000003'],
    [((5 / 100) * 672) / 6, '5.6000000000000005'],
    [((2 / 100) * 720) / 1, '14.4'],
    [0.95, '0.95'],
    [30, '30'],
    [1, '1'],
    [0, '0'],
    [-0, '-0'],
    [-2.5, '-2.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [5e-324, '5e-324'],
    [Number.NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%d prints as %s', (value, text) => {
    expect(formatGoFloat(value)).toBe(text);
  });
});

describe("formatGoFixed prints like strconv.FormatFloat(f, 'f', -1, 64)", () => {
  it.each([
    [99.9, '99.9'],
    [95, '95'],
    [99.999, '99.999'],
    [1e-5, '0.00001'],
    [1e21, '1000000000000000000000'],
    [-0.5, '-0.5'],
  ])('%d prints as %s', (value, text) => {
    expect(formatGoFixed(value)).toBe(text);
  });
});
