import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { packageFile } from '../core/package-files.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { Writer } from '../core/io.js';
import { loadRunbooks } from '../runbook/load-runbooks.js';
import type { Runbook } from '../runbook/model.js';
import { placeholderValues, type PlaceholderValues } from '../runbook/placeholders.js';
import { runReadOnlySteps } from '../runbook/run-readonly.js';
import { runStep, skippedStep } from '../runbook/run-step.js';
import { createShopsreShim, currentShopsre, type ShopsreInvocation } from '../runbook/shopsre-shim.js';
import { formatRecordLine, type StepRecord } from '../runbook/step-record.js';
import type { CommandContext } from './context.js';
import { abortOnStopSignal, type SignalSource } from './signals.js';

/** The flags every runbook command that opens a runbook shares. */
export interface RunbookSessionFlags {
  /** Runbooks folder; default: the ones shipped with shopsre. */
  readonly dir?: string;
  readonly storeUrl?: string;
  readonly prometheusUrl?: string;
  /** `$SLO_FILE`; default: the reference store's SLOs. */
  readonly sloFile?: string;
  readonly record?: string;
  readonly yes: boolean;
  readonly readonly: boolean;
}

/** What the process gives an interactive run; tests pass their own. */
export interface RunbookTerminal {
  readonly stdin?: NodeJS.ReadStream;
  readonly signals?: SignalSource;
  readonly shopsre?: ShopsreInvocation;
}

export const defaultStoreUrl = 'http://127.0.0.1:8080';

export function runbooksDir(dir: string | undefined, cwd: string): string {
  return dir === undefined ? packageFile('runbooks') : resolve(cwd, dir);
}

export async function loadRunbookDir(dir: string | undefined, cwd: string): Promise<Runbook[]> {
  const path = runbooksDir(dir, cwd);
  try {
    return await loadRunbooks(path, { cwd });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`no runbooks folder at ${path}`);
    throw error;
  }
}

/** `--label k=v` flags as a label set; a flag without `=` is a usage error. */
export function parseLabels(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label ${pair}: expected name=value, e.g. --label segment=vip`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

export function sessionValues(
  labels: Readonly<Record<string, string>>,
  flags: RunbookSessionFlags,
  cwd: string,
): PlaceholderValues {
  // A flag the engineer typed wins over a label, a label over the default.
  const typed: PlaceholderValues = {
    ...(flags.storeUrl === undefined ? {} : { STORE_URL: flags.storeUrl }),
    ...(flags.prometheusUrl === undefined ? {} : { PROMETHEUS_URL: flags.prometheusUrl }),
    ...(flags.sloFile === undefined ? {} : { SLO_FILE: resolve(cwd, flags.sloFile) }),
  };
  return {
    STORE_URL: defaultStoreUrl,
    SLO_FILE: packageFile('reference-store/slos.yaml'),
    ...placeholderValues(labels, typed),
  };
}

/**
 * Runs a runbook the way the flags ask: `--yes --readonly` runs its read-only steps without prompts
 * and prints one line per step; otherwise the ink step runner on a terminal. Every step goes to
 * `--record` as a JSON line. Exit 0 when every step that ran passed its check, 1 otherwise or when
 * the engineer stopped.
 */
export async function runRunbook(
  runbook: Runbook,
  labels: Readonly<Record<string, string>>,
  flags: RunbookSessionFlags,
  ctx: CommandContext,
  terminal: RunbookTerminal = {},
): Promise<ExitCode> {
  if (flags.yes && !flags.readonly) {
    throw new UsageError(
      '--yes answers for read-only steps only: add --readonly (a mutating step always needs a person)',
    );
  }
  const { io } = ctx;
  const values = sessionValues(labels, flags, io.cwd);
  const recordPath = flags.record === undefined ? undefined : resolve(io.cwd, flags.record);
  let writes = Promise.resolve();
  const record = (entry: StepRecord): void => {
    if (recordPath) writes = writes.then(() => appendFile(recordPath, formatRecordLine(entry)));
  };
  const shopsre = terminal.shopsre ?? currentShopsre();

  if (flags.yes) {
    const stop = abortOnStopSignal(terminal.signals ?? process);
    try {
      io.stdout.write(`${runbook.title} (${runbook.name}): read-only steps\n`);
      const records = await runReadOnlySteps(runbook, labels, {
        env: io.env,
        cwd: io.cwd,
        signal: stop.signal,
        now: () => ctx.clock.now(),
        values,
        shopsre,
        onStep: (entry) => {
          record(entry);
          io.stdout.write(plainLine(entry));
        },
      });
      await writes;
      return verdict(records, stop.signal.aborted, io.stdout);
    } finally {
      stop.dispose();
    }
  }

  const stdin = terminal.stdin ?? process.stdin;
  const stdout = io.stdout as Partial<NodeJS.WriteStream>;
  if (!io.isTTY || io.env.CI === 'true' || !stdin.isTTY || typeof stdout.columns !== 'number') {
    throw new UsageError(
      `runbook run asks before each step and needs a terminal; in scripts use --yes --readonly (read-only steps only)`,
    );
  }
  const shim = await createShopsreShim(shopsre);
  try {
    const session = {
      env: { ...io.env, PATH: shim.pathFor(io.env.PATH) },
      cwd: io.cwd,
      now: () => ctx.clock.now(),
    };
    const { runRunbookRunner } = await import('../ui/runbook-runner.js');
    let result: { records: readonly StepRecord[]; stopped: boolean } = { records: [], stopped: false };
    await runRunbookRunner(
      {
        runbook,
        values,
        execute: (step, signal) => runStep(runbook.name, step, values, session, signal),
        skip: (step, reason) => skippedStep(runbook.name, step, values, ctx.clock.now(), reason),
        onRecord: record,
        onDone: (done) => (result = done),
      },
      { stdout: io.stdout as NodeJS.WriteStream, stdin: stdin },
    );
    await writes;
    return verdict(result.records, result.stopped, undefined);
  } finally {
    await shim.dispose();
  }
}

function plainLine(entry: StepRecord): string {
  const detail = entry.reason ?? `exit ${entry.exitCode ?? '-'}, ${(entry.durationMs / 1000).toFixed(1)}s`;
  const output = entry.outcome === 'failed' || entry.outcome === 'timed-out' ? indent(entry.output) : '';
  return `${entry.outcome.padEnd(9)} ${entry.step} (${detail})\n  $ ${entry.command.split('\n').join('\n    ')}\n${output}`;
}

function indent(text: string): string {
  return text
    ? `${text
        .split('\n')
        .map((line) => `    | ${line}`)
        .join('\n')}\n`
    : '';
}

function verdict(records: readonly StepRecord[], stopped: boolean, out: Writer | undefined): ExitCode {
  const failed = records.filter((r) => r.outcome === 'failed' || r.outcome === 'timed-out').length;
  const passed = records.filter((r) => r.outcome === 'passed').length;
  const skipped = records.filter((r) => r.outcome === 'skipped').length;
  out?.write(`${stopped ? 'stopped' : 'done'}: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  return failed > 0 || stopped ? ExitCode.checkFailed : ExitCode.ok;
}
