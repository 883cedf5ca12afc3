import type { Command } from 'commander';
import type { ExitCode } from '../core/errors.js';
import type { Io } from '../core/io.js';
import type { CommandContext } from '../commands/context.js';

/** What a parsed command runs: imported lazily, so each command pays only for its own modules. */
export type Handler = (ctx: CommandContext) => Promise<ExitCode>;

/** Registers one command group (`slo`, `load`, ...) on the program; `select` takes the chosen handler. */
export type RegisterGroup = (program: Command, select: (handler: Handler) => void, io: Io) => void;
