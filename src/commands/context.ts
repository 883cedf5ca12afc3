import type { Clock } from '../core/clock.js';
import type { Io } from '../core/io.js';
import type { Logger, LogLevel } from '../core/logger.js';

/** What every command handler receives besides its own options. */
export interface CommandContext {
  readonly io: Io;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The logger's level (`--debug`), for a command that logs to another sink (a live view). */
  readonly logLevel?: LogLevel;
}
