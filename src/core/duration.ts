/**
 * Prometheus durations (`5m`, `1h30m`, `4w`), kept in milliseconds.
 * Formatting follows Prometheus' own `model.Duration.String()`: years and weeks only when exact,
 * so `28d` prints as `4w` and `30d` stays `30d`; rule names such as `ratio_rate4w` depend on it.
 */
const unitMs = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
} as const;
type Unit = keyof typeof unitMs;
const unitOrder: readonly Unit[] = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

const durationPattern = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

/** Parses a Prometheus duration; returns undefined when the text is not one (or is zero). */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  let total = 0;
  unitOrder.forEach((unit, index) => {
    const value = match[index * 2 + 2];
    if (value !== undefined) total += Number(value) * unitMs[unit];
  });
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of unitOrder) {
    const mult = unitMs[unit];
    if ((unit === 'y' || unit === 'w') && rest % mult !== 0) continue;
    const value = Math.floor(rest / mult);
    if (value > 0) {
      out += `${value}${unit}`;
      rest -= value * mult;
    }
  }
  return out;
}
