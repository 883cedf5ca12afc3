import { Command, CommanderError } from 'commander';
import { systemClock, type Clock } from './core/clock.js';
import { ExitCode, ShopsreError } from './core/errors.js';
import type { Io } from './core/io.js';
import { createLogger } from './core/logger.js';
import { registerChaosCommands } from './cli-groups/chaos.js';
import { registerGameDayCommands } from './cli-groups/gameday.js';
import { registerLoadCommands } from './cli-groups/load.js';
import { registerRunbookCommands } from './cli-groups/runbook.js';
import { registerSloCommands } from './cli-groups/slo.js';
import { registerStoreCommands } from './cli-groups/store.js';
import type { Handler } from './cli-groups/types.js';
import type { CommandContext } from './commands/context.js';
import { version } from './version.js';

export interface RunOptions {
  readonly clock?: Clock;
}

/**
 * The process boundary: argv in, exit code out. Only the bin file calls `process.exit`.
 * Handlers are imported lazily so `slo check` in CI does not pay for what `load` or `chaos` import.
 */
export async function run(argv: readonly string[], io: Io, options: RunOptions = {}): Promise<ExitCode> {
  let handler: Handler | undefined;
  const program = buildProgram(io, (h) => {
    handler = h;
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    throw error;
  }
  if (!handler) return ExitCode.ok;
  const clock = options.clock ?? systemClock;
  const ctx: CommandContext = {
    io,
    clock,
    logger: createLogger({ sink: io.stderr, clock, level: debug ? 'debug' : 'info' }),
    logLevel: debug ? 'debug' : 'info',
  };
  try {
    return await handler(ctx);
  } catch (error) {
    return reportError(error, io, debug);
  }
}

function reportError(error: unknown, io: Io, debug: boolean): ExitCode {
  if (error instanceof ShopsreError) {
    for (const line of error.lines()) io.stderr.write(`${line}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(
    `internal error (a bug in shopsre, exit 4): ${message}; rerun with --debug for the stack and report it\n`,
  );
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.internal;
}

/** The whole command tree; `runbook lint` parses the shopsre commands of runbook steps against it. */
export function buildProgram(io: Io, select: (handler: Handler) => void): Command {
  const program = new Command('shopsre')
    .description(
      'Reliability toolkit for e-commerce stacks: SLOs by customer segment, burn-rate alerts, CI gates, load, a reference store.',
    )
    .version(version, '-V, --version')
    .option('--debug', 'show stack traces for internal errors')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  program.configureHelp({ showGlobalOptions: true });

  registerSloCommands(program, select, io);
  registerLoadCommands(program, select, io);
  registerStoreCommands(program, select, io);
  registerChaosCommands(program, select, io);
  registerGameDayCommands(program, select, io);
  registerRunbookCommands(program, select, buildProgram);
  return program;
}
