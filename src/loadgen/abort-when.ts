import { closestWord } from '../core/did-you-mean.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';

/**
 * Stop conditions of a run (`--abort-when`), read on the per-second stream of the whole run.
 *
 * Grammar (one flag value may hold several conditions separated by commas; the flag repeats):
 *
 * ```
 * condition := metric op number [ "for" duration ]
 * metric    := error_rate | p95_ms | rps     (per second)
 *            | errors | dropped             (since the run began)
 * op        := ">" | ">=" | "<" | "<="
 * duration  := a duration such as 10s or 1m, rounded up to whole seconds
 * ```
 *
 * `error_rate>0.5 for 10s` fires once the error rate was above 0.5 in each of the last 10 seconds;
 * without `for`, the first second that holds fires. `p95_ms` is the slowest segment's p95 in the
 * second, so a VIP slowdown is not averaged away by guest traffic. A second in which no request
 * finished has no error rate or latency, so such conditions do not hold in it (and a `for` streak
 * starts over): a stalled target shows up as timeouts, which do count. The run stops at the first
 * condition that fires.
 */
export interface AbortCondition {
  /** As the user wrote it, for the message that names it. */
  readonly text: string;
  readonly metric: Metric;
  readonly op: Op;
  readonly threshold: number;
  /** Consecutive seconds the comparison must hold; 1 without `for`. */
  readonly forSeconds: number;
}

/** One second of the run, all segments and steps together. */
export interface RunSecond {
  /** Seconds since the run started. */
  readonly t: number;
  /** Requests finished in the second. */
  readonly requests: number;
  readonly errors: number;
  /** Iterations dropped in the second. */
  readonly dropped: number;
  /** The slowest segment's p95 in the second; undefined when no request finished in it. */
  readonly p95Ms: number | undefined;
}

const metrics = ['error_rate', 'p95_ms', 'rps', 'errors', 'dropped'] as const;
type Metric = (typeof metrics)[number];
type Op = '>' | '>=' | '<' | '<=';

const conditionPattern = /^([a-z0-9_]+)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)(?:\s+for\s+(\S+))?$/i;

/** Parses the values of every `--abort-when` flag; a bad one is a usage error (exit 2). */
export function parseAbortWhen(values: readonly string[]): AbortCondition[] {
  return values.flatMap((value) =>
    value
      .split(',')
      .map((text) => text.trim())
      .filter((text) => text !== '')
      .map(parseCondition),
  );
}

function parseCondition(text: string): AbortCondition {
  const bad = (why: string): never => {
    throw new UsageError(
      `--abort-when "${text}": ${why}; expected METRIC OP NUMBER [for DURATION], e.g. "error_rate>0.5 for 10s"`,
    );
  };
  const match = conditionPattern.exec(text);
  if (!match) return bad('cannot read it');
  const [, name = '', op = '>', number = '0', duration] = match;
  const metric = metrics.find((m) => m === name.toLowerCase());
  if (!metric) {
    const hint = closestWord(name, metrics);
    return bad(
      `unknown metric "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; metrics: ${metrics.join(', ')}`,
    );
  }
  let forSeconds = 1;
  if (duration !== undefined) {
    const ms = parseDuration(duration);
    if (ms === undefined) return bad(`"${duration}" is not a duration such as 10s or 1m`);
    forSeconds = Math.max(1, Math.ceil(ms / 1000));
  }
  return { text, metric, op: op as Op, threshold: Number(number), forSeconds };
}

/** Watches the per-second stream; `observe` returns the first condition that fires, if any. */
export function abortMonitor(conditions: readonly AbortCondition[]): {
  observe(second: RunSecond): AbortCondition | undefined;
} {
  const streaks = conditions.map(() => 0);
  let errors = 0;
  let dropped = 0;
  return {
    observe(second) {
      errors += second.errors;
      dropped += second.dropped;
      let fired: AbortCondition | undefined;
      conditions.forEach((condition, i) => {
        const value = metricValue(condition.metric, second, { errors, dropped });
        const holds = value !== undefined && compare(value, condition.op, condition.threshold);
        streaks[i] = holds ? (streaks[i] ?? 0) + 1 : 0;
        if (!fired && (streaks[i] ?? 0) >= condition.forSeconds) fired = condition;
      });
      return fired;
    },
  };
}

function metricValue(
  metric: Metric,
  second: RunSecond,
  sinceStart: { readonly errors: number; readonly dropped: number },
): number | undefined {
  switch (metric) {
    case 'error_rate':
      return second.requests > 0 ? second.errors / second.requests : undefined;
    case 'p95_ms':
      return second.p95Ms;
    case 'rps':
      return second.requests;
    case 'errors':
      return sinceStart.errors;
    case 'dropped':
      return sinceStart.dropped;
  }
}

function compare(value: number, op: Op, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}
