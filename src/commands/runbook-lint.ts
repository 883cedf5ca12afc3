import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { faultNames } from '../chaos/catalogue.js';
import { ExitCode, formatFinding, UsageError } from '../core/errors.js';
import { bufferWriter, type Io } from '../core/io.js';
import { packageFile } from '../core/package-files.js';
import { lintRunbooks } from '../runbook/lint.js';
import { readRunbooks } from '../runbook/load-runbooks.js';
import { generatedAlerts } from '../runbook/slo-alerts.js';
import { loadSloFiles } from '../slo/load.js';
import type { CommandContext } from './context.js';
import { runbooksDir } from './runbook-session.js';

const thirtyDaysMs = 30 * 24 * 3600_000;

/**
 * Builds the whole command tree (`buildProgram`), handed down by the CLI rather than imported, since
 * the tree holds this command. Lint parses with a `select` that ignores every handler.
 */
export type CommandTree = (io: Io, select: (handler: unknown) => void) => Command;

/**
 * `runbook lint`: every alert the SLO files generate and every fault of the catalogue has a runbook,
 * every runbook is valid, every placeholder known and every `shopsre` command of a step parses
 * against the real CLI. Each finding as file:line:col; exit 1 when there is one.
 */
export async function runRunbookLint(
  options: { readonly dir?: string; readonly slos: readonly string[] },
  ctx: CommandContext,
  tree: CommandTree,
): Promise<ExitCode> {
  const { io } = ctx;
  const dir = runbooksDir(options.dir, io.cwd);
  let read;
  try {
    read = await readRunbooks(dir, { cwd: io.cwd });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`no runbooks folder at ${dir}`);
    throw error;
  }
  const sloPaths = options.slos.length > 0 ? options.slos : [packageFile('reference-store/slos.yaml')];
  const slos = await loadSloFiles(sloPaths, { defaultPeriodMs: thirtyDaysMs, cwd: io.cwd });
  const alerts = await generatedAlerts(slos, { cwd: io.cwd, readText: (path) => readFile(path, 'utf8') });
  const findings = lintRunbooks({
    runbooks: read.runbooks,
    findings: read.findings,
    alerts,
    faults: faultNames,
    dir: shown(relative(io.cwd, dir), dir),
    parseShopsre: shopsreParser(io.cwd, tree),
  });
  for (const finding of findings) io.stdout.write(`${formatFinding(finding)}\n`);
  const steps = read.runbooks.reduce((sum, r) => sum + r.steps.length, 0);
  io.stderr.write(
    `${findings.length === 0 ? 'ok' : `${findings.length} finding(s)`}: ${read.runbooks.length} runbooks, ${steps} steps, ${alerts.length} alerts, ${faultNames.length} faults\n`,
  );
  return findings.length === 0 ? ExitCode.ok : ExitCode.checkFailed;
}

/**
 * Parses an argv against the real command tree, the runbook group included, without running a
 * handler: the select records nothing, exitOverride turns exits into errors, and help or errors
 * go to a buffer. A fresh program per argv: commander keeps option values on its commands.
 */
export function shopsreParser(
  cwd: string,
  tree: CommandTree,
): (argv: readonly string[]) => string | undefined {
  return (argv) => {
    const sink = bufferWriter();
    const io: Io = { stdout: sink, stderr: sink, env: {}, cwd, isTTY: false };
    const ignore = (): void => undefined;
    const program = tree(io, ignore);
    try {
      program.parse([...argv], { from: 'user' });
      return undefined;
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      return error.exitCode === 0
        ? undefined
        : error.message
            .replace(/^error: /, '')
            .split('\n')
            .filter(Boolean)
            .join(' ');
    }
  };
}

/** A folder relative to the working directory when it is inside it, else as given. */
function shown(relativePath: string, absolute: string): string {
  return relativePath === '' || relativePath.startsWith('..') ? absolute : relativePath;
}
