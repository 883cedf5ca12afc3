/**
 * How a game day writes times, durations, money and ratios: in its journal's texts (steady state,
 * expectations, stop conditions), the postmortem, the summary and the charts alike. Everything is
 * spelled out by hand rather than through `Intl` or `toLocaleString`: their output follows the
 * machine's locale and ICU build, and the same journal must give the same bytes on a laptop and in CI.
 */

/** `2025-01-15 10:02:41Z`, with milliseconds only when there are some. */
export function utc(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-01-15T10:02:41.000Z
  const seconds = iso.slice(0, 19).replace('T', ' ');
  const millis = iso.slice(20, 23);
  return millis === '000' ? `${seconds}Z` : `${seconds}.${millis}Z`;
}

/** `10:02:41`, for the timeline of a single day (with the date when the run crosses midnight). */
export function clock(ms: number, withDate: boolean): string {
  const text = utc(ms);
  return withDate ? text : text.slice(11);
}

const units = [
  { ms: 24 * 3600_000, name: 'd' },
  { ms: 3600_000, name: 'h' },
  { ms: 60_000, name: 'min' },
  { ms: 1000, name: 's' },
] as const;

/**
 * A duration a person reads: `850 ms`, `41 s`, `2 min 5 s`, `41 min`, `1 h 30 min`. Two units at most,
 * the second rounded; below a minute, decimals (`3.92 s`, `40.4 s`), since scaled runs live there.
 */
export function duration(ms: number): string {
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 10_000) return `${sign}${stripZeros((abs / 1000).toFixed(2))} s`;
  if (abs < 60_000) return `${sign}${stripZeros((abs / 1000).toFixed(1))} s`;
  let rest = Math.round(abs / 1000) * 1000;
  const counts = units.map((unit) => {
    const count = Math.floor(rest / unit.ms);
    rest -= count * unit.ms;
    return { count, name: unit.name };
  });
  const first = counts.findIndex((c) => c.count > 0);
  const shown = counts.slice(first, first + 2).filter((c) => c.count > 0);
  return `${sign}${shown.map((c) => `${c.count} ${c.name}`).join(' ')}`;
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** ISO 4217 currencies whose minor unit is not the cent: none (JPY) or a thousandth (KWD). */
const minorDigits: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** `1,234.56 EUR` from 123456 minor units; the journal keeps money as integers of the minor unit. */
export function money(minor: number, currency: string): string {
  const digits = minorDigits[currency.toUpperCase()] ?? 2;
  const scale = 10 ** digits;
  const major = Math.floor(minor / scale);
  const fraction = digits > 0 ? `.${String(minor % scale).padStart(digits, '0')}` : '';
  return `${thousands(major)}${fraction} ${currency}`;
}

/** `12,345`: counts in tables. */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `5.23%`; small non-zero shares keep two significant digits (`0.012%`) so they do not read as 0, and
 * shares just short of a whole keep the digits that tell them from it (`99.95%`, `99.999%`): a
 * success ratio or objective of 99.95 % must never read as 100 %.
 */
export function percent(ratio: number): string {
  const value = ratio * 100;
  if (value === 0) return '0%';
  if (value >= 99 && value < 100) {
    let digits = 2;
    while (digits < 6 && Number(value.toFixed(digits)) >= 100) digits++;
    return Number(value.toFixed(digits)) >= 100 ? '>99.9999%' : `${stripZeros(value.toFixed(digits))}%`;
  }
  if (Math.abs(value) >= 10) return `${trimZero(value.toFixed(1))}%`;
  if (Math.abs(value) >= 0.1) return `${stripZeros(value.toFixed(2))}%`;
  return `${stripZeros(value.toPrecision(2))}%`;
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** A burn rate, threshold or check value: two decimals, or two significant digits below 1 (`0.0004`). */
export function num(value: number): string {
  if (value !== 0 && Math.abs(value) < 1) return stripZeros(value.toPrecision(2));
  return stripZeros(value.toFixed(2));
}
