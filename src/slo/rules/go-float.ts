/**
 * Go's float text, because Sloth prints thresholds with `%g`/`%v` (strconv 'g', shortest) and the
 * `sloth_objective` label with strconv 'f', shortest. JavaScript's `String()` picks the same digits
 * (both are the shortest text that reads back as the same double) but switches to exponent form at
 * other magnitudes, so only the notation is rebuilt here.
 */

interface ShortestDigits {
  readonly negative: boolean;
  /** Significant digits without leading or trailing zeros, e.g. "9999999999999432". */
  readonly digits: string;
  /** Decimal exponent of the first digit: 0.00099… has exponent -4. */
  readonly exponent: number;
}

function shortestDigits(value: number): ShortestDigits {
  // toExponential() without an argument gives as many digits as needed to identify the double.
  const [mantissa = '0', exponent = '0'] = Math.abs(value).toExponential().split('e');
  return {
    negative: value < 0 || Object.is(value, -0),
    digits: mantissa.replace('.', ''),
    exponent: Number(exponent),
  };
}

function special(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return undefined;
}

function fixed(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return fraction === '' ? integerPart : `${integerPart}.${fraction}`;
}

/**
 * `strconv.FormatFloat(value, 'g', -1, 64)`, which is also what `fmt` prints for `%v` and `%g`:
 * exponent form when the decimal exponent is below -4 or at least 6 (Go decides with precision 6
 * for the shortest form), with a signed exponent of at least two digits (`1e-05`, `1e+06`).
 */
export function formatGoFloat(value: number): string {
  const text = special(value);
  if (text !== undefined) return text;
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const { negative, digits, exponent } = shortestDigits(value);
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits[0] ?? '0'}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  return `${sign}${fixed(digits, exponent)}`;
}

/** `strconv.FormatFloat(value, 'f', -1, 64)`: shortest digits, never an exponent. */
export function formatGoFixed(value: number): string {
  const text = special(value);
  if (text !== undefined) return text;
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const { negative, digits, exponent } = shortestDigits(value);
  return `${negative ? '-' : ''}${fixed(digits, exponent)}`;
}
