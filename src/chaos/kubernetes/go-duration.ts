/**
 * Durations as Chaos Mesh reads them. `spec.duration` goes through Go's `time.ParseDuration`, which
 * takes a sequence of units (`1m30s`); netem times (`delay.latency`, `delay.jitter`) must also match
 * the CRD's pattern `^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$`, a single unit, so they stay in `ms`.
 */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${seconds > 0 ? `${seconds}s` : ''}`;
}

export function netemTime(ms: number): string {
  return `${ms}ms`;
}
