import type { Clock } from './clock.js';
import type { Writer } from './io.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface LoggerOptions {
  readonly sink: Writer;
  readonly clock: Clock;
  /** Minimum level written; default `info`. */
  readonly level?: LogLevel;
  /** One JSON object per line instead of `level message k=v`; default false. */
  readonly json?: boolean;
}

/** Logs go to stderr so stdout stays clean for results that other programs read. */
export function createLogger(options: LoggerOptions): Logger {
  const min = order[options.level ?? 'info'];
  const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (order[level] < min) return;
    if (options.json) {
      const time = new Date(options.clock.now()).toISOString();
      options.sink.write(`${JSON.stringify({ time, level, msg: message, ...fields })}\n`);
      return;
    }
    const pairs = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`);
    options.sink.write(`${[level, message, ...pairs].join(' ')}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
