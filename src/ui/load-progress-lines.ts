import type { Writer } from '../core/io.js';
import type { ProgressSnapshot } from '../loadgen/progress.js';

/** How the command shows progress, whether ink or plain lines. */
export interface ProgressDisplay {
  update(snapshot: ProgressSnapshot): void;
  /** Removes a live display; plain lines stay as printed. */
  stop(): void;
}

/** Seconds between plain lines: often enough to follow a CI log, rare enough not to flood it. */
const everyMs = 5000;

/** One line every few seconds, for logs (not a TTY, or CI=true). */
export function plainProgress(sink: Writer): ProgressDisplay {
  let printedAtMs = Number.NEGATIVE_INFINITY;
  return {
    update(snapshot) {
      if (snapshot.elapsedMs - printedAtMs < everyMs) return;
      printedAtMs = snapshot.elapsedMs;
      sink.write(`${progressLine(snapshot)}\n`);
    },
    stop() {},
  };
}

function progressLine(snapshot: ProgressSnapshot): string {
  const segments = snapshot.segments.map((s) => `${s.segment} p95 ${formatMs(s.p95Ms)}`).join(', ');
  return [
    `load ${formatClock(snapshot.elapsedMs)}/${formatClock(snapshot.durationMs)}`,
    `${snapshot.rps} req/s`,
    `${snapshot.requests} requests`,
    `${snapshot.errors} errors (${formatShare(snapshot.errors, snapshot.requests)})`,
    `${snapshot.dropped} dropped`,
    ...(segments ? [segments] : []),
  ].join(' | ');
}

/** `m:ss`, to the nearest second: reports come on whole seconds, give or take a timer's jitter. */
export function formatClock(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`;
}

export function formatShare(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((part / whole) * 100).toFixed(1)}%`;
}
