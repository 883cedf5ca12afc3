/**
 * Keeps card numbers and credentials out of everything a game day (and a runbook's `--record`) leaves
 * behind. The journal should hold none, but its free text comes from people (notes), vendors (error
 * messages) and drivers, and a postmortem gets pasted into tickets and wikis: a leak there is a PCI
 * incident of its own. So every string of the journal passes through here before anything is
 * rendered, rather than the output: SVG path data is full of digits that must not be touched.
 */

export const cardPlaceholder = '[REDACTED card number]';
export const secretPlaceholder = '[REDACTED]';

/** Runs of digits, single spaces or dashes allowed between them (`4111 1111-1111 1111`). */
const digitRun = /\d(?:[ -]?\d)+/g;

/** Luhn's check digit test, as card networks define it. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const isCardNumber = (digits: string): boolean =>
  digits.length >= 13 && digits.length <= 19 && luhnValid(digits);

/**
 * A run may carry more than a card: an order number before it, an expiry after it, with nothing but a
 * space between. Look for a card among consecutive groups of the run, widest first, then redact what
 * is left on either side the same way.
 */
function redactRun(run: string): string {
  const groups = run.split(/[ -]/);
  // separators[i] sits between groups[i] and groups[i + 1].
  const separators = run.match(/[ -]/g) ?? [];
  const joined = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((group, i) => (i === 0 ? group : `${separators[from + i - 1] ?? ''}${group}`))
      .join('');
  for (let width = groups.length; width >= 1; width--) {
    for (let start = 0; start + width <= groups.length; start++) {
      if (!isCardNumber(groups.slice(start, start + width).join(''))) continue;
      const end = start + width;
      const before = start > 0 ? `${redactRun(joined(0, start))}${separators[start - 1] ?? ''}` : '';
      const after =
        end < groups.length ? `${separators[end - 1] ?? ''}${redactRun(joined(end, groups.length))}` : '';
      return `${before}${cardPlaceholder}${after}`;
    }
  }
  return run;
}

/** Credentials in URLs (`https://user:pass@host`) and `key=value` pairs whose key names a secret. */
const urlCredentials = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi;
const secretPairs =
  /\b(password|passwd|pwd|secret|token|api[_-]?key|authorization)(\s*[=:]\s*)(?:bearer\s+)?[^\s&,;"']+/gi;

/** The text with card-like numbers (13–19 digits passing Luhn) and credentials replaced. */
export function redactText(text: string): string {
  return text
    .replace(urlCredentials, `$1${secretPlaceholder}@`)
    .replace(secretPairs, `$1$2${secretPlaceholder}`)
    .replace(digitRun, redactRun);
}

/** A deep copy of a JSON-shaped value with every string (keys of records too) passed through `redactText`. */
export function redactDeep<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [redactText(key), redactValue(inner)]),
    );
  }
  return value;
}
