import { randomHex } from '../core/rng.js';
import { cryptoRandom, mintRunId } from '../core/run-id.js';
import { evaluateLoadResults } from '../slo/evaluate/results-gate.js';
import { constants } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { EnvironmentError, ExitCode, UsageError } from '../core/errors.js';
import { parseAbortWhen } from '../loadgen/abort-when.js';
import { buildLoadPlan } from '../loadgen/build-plan.js';
import { executorDurationMs } from '../loadgen/engine/run-executor.js';
import { systemMonotonicClock } from '../loadgen/engine/system-clock.js';
import type { LoadPlan } from '../loadgen/plan.js';
import { parseLoadProfile } from '../loadgen/profile.js';
import type { LoadResults } from '../loadgen/results.js';
import { runLoad, type RunEnd } from '../loadgen/run-load.js';
import { checkTarget, lookupAll, type LookupAll } from '../loadgen/safety.js';
import { renderLoadSummary } from '../loadgen/summary-table.js';
import { defaultPolicy, requiringData, type BudgetPolicy } from '../slo/evaluate/policy.js';
import { renderTable } from '../slo/evaluate/table.js';
import { loadSloFiles } from '../slo/load.js';
import type { Slo } from '../slo/model.js';
import { plainProgress, type ProgressDisplay } from '../ui/load-progress-lines.js';
import type { CommandContext } from './context.js';
import { liveTerminal } from './live-terminal.js';
import { loadFlags, type LoadRunFlags } from './load-run-flags.js';
import { abortOnStopSignal, type SignalSource } from './signals.js';

/** Process-level effects of `load run`, injected so tests need neither DNS nor real signals. */
export interface LoadRunDeps {
  /** Default: `dns.promises.lookup(host, { all: true })`. */
  readonly lookup?: LookupAll;
  /** Default: the process; SIGINT and SIGTERM stop the run. */
  readonly signals?: SignalSource;
}

/** Period of SLOs that name none: `slo check`'s default, so `--slo` and `slo check --results` agree. */
const sloPeriodMs = 30 * 86_400_000;

/**
 * `load run`: plan, safety check, run with progress, write results, print the summary, gate on SLOs.
 * Exit codes: 0 ok, 1 SLO breach, stop condition or interruption, 2 bad input, 3 target unreachable.
 */
export async function runLoadRun(
  options: LoadRunFlags,
  ctx: CommandContext,
  deps: LoadRunDeps = {},
): Promise<ExitCode> {
  const { io, logger } = ctx;
  const flags = loadFlags(options);
  const profile =
    options.profile === undefined
      ? undefined
      : parseLoadProfile(
          displayPath(options.profile, io.cwd),
          await readInput('--profile', options.profile, io.cwd),
        );
  const plan = buildLoadPlan(flags.plan, profile);
  const stopConditions = parseAbortWhen(options.abortWhen);
  // SLO files are read before the run, so a typo fails in a second rather than after the load.
  const slos =
    options.slo === undefined
      ? undefined
      : await loadSloFiles([options.slo], { defaultPeriodMs: sloPeriodMs, cwd: io.cwd });
  if (options.out !== undefined) await checkWritable('--out', options.out, io.cwd);
  await checkTarget(plan.journey.target, options.allowTarget, deps.lookup ?? lookupAll);

  const random = cryptoRandom();
  const runNonce = randomHex(random, 8);
  const runId = mintRunId('run', ctx.clock, random);
  // Logged before the live view mounts: ink redraws by erasing as many lines as it last drew, so a
  // line written under it by anyone else shifts the erase up and leaves its first line (the title)
  // on the screen twice.
  logger.info('load run started', { run: runId, target: plan.journey.target, executor: plan.executor.kind });
  const display = await progressDisplay(ctx, plan);
  const interrupted = abortOnStopSignal(deps.signals ?? process);
  let outcome: Awaited<ReturnType<typeof runLoad>>;
  try {
    outcome = await runLoad({
      plan,
      runId,
      runNonce,
      workers: flags.workers,
      stopConditions,
      signal: interrupted.signal,
      clock: systemMonotonicClock,
      wallClock: ctx.clock,
      onProgress: (snapshot) => display.update(snapshot),
    });
  } finally {
    display.stop();
    interrupted.dispose();
  }
  const { results, end } = outcome;

  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (options.out !== undefined) await writeOutput(resolve(io.cwd, options.out), json);
  // With --json, stdout carries the document alone; the tables go to stderr.
  const report = options.json ? io.stderr : io.stdout;
  if (options.json) io.stdout.write(json);
  report.write(renderLoadSummary(results));
  reportEnd(end, ctx);

  if (unreachable(results)) {
    io.stderr.write(
      `target unreachable: all ${results.totals.requests} requests failed to connect to ${plan.journey.target} ` +
        '(refused, reset or no route); is the store running?\n',
    );
    return ExitCode.environment;
  }
  const policy = options.requireData ? requiringData(defaultPolicy) : defaultPolicy;
  const sloVerdict =
    slos === undefined ? 'pass' : await gate(slos, policy, results, options.out, ctx, report);
  return end.kind !== 'completed' || sloVerdict === 'fail' ? ExitCode.checkFailed : ExitCode.ok;
}

function reportEnd(end: RunEnd, ctx: CommandContext): void {
  if (end.kind === 'interrupted') {
    ctx.io.stderr.write('interrupted: the run stopped early; the results cover the part that ran\n');
  } else if (end.kind === 'stop-condition') {
    const seconds = Math.round(end.atMs / 1000);
    ctx.io.stderr.write(`stopped after ${seconds}s: --abort-when "${end.condition.text}" held\n`);
  }
}

/** Every request failed to connect: no store answered, so the numbers say nothing about it. */
function unreachable(results: LoadResults): boolean {
  const { requests, errorsByKind } = results.totals;
  return requests > 0 && errorsByKind.connection === requests;
}

/** `--slo`: the same evaluation as `slo check --results`, on this run's document in memory. */
async function gate(
  slos: readonly Slo[],
  policy: BudgetPolicy,
  results: LoadResults,
  out: string | undefined,
  ctx: CommandContext,
  report: { write(chunk: string): unknown },
): Promise<'pass' | 'fail'> {
  const evaluation = await evaluateLoadResults(slos, results, {
    name: out ?? `results of ${results.run.id}`,
    at: ctx.clock.now(),
    policy,
  });
  report.write(`\n${renderTable(evaluation)}`);
  return evaluation.verdict;
}

/** ink on a terminal (lazily imported: other commands do not pay for it), plain lines otherwise. */
async function progressDisplay(ctx: CommandContext, plan: LoadPlan): Promise<ProgressDisplay> {
  const { io } = ctx;
  const terminal = liveTerminal(io);
  if (!terminal) return plainProgress(io.stderr);
  const { inkProgress } = await import('../ui/load-progress.js');
  return inkProgress(terminal, {
    target: plan.journey.target,
    executor: plan.executor.kind,
    snapshot: { ...noProgress, durationMs: executorDurationMs(plan.executor) },
  });
}

const noProgress = { elapsedMs: 0, rps: 0, requests: 0, errors: 0, dropped: 0, segments: [] } as const;

async function readInput(flag: string, path: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot read it (${errorCode(error)})`);
  }
}

/** Fails before the run, not after it, when the results could not be written. */
async function checkWritable(flag: string, path: string, cwd: string): Promise<void> {
  try {
    await access(dirname(resolve(cwd, path)), constants.W_OK);
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot write there (${errorCode(error)})`);
  }
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new EnvironmentError(`cannot write results to ${path} (${errorCode(error)})`);
  }
}

function displayPath(path: string, cwd: string): string {
  return relative(cwd, resolve(cwd, path)) || path;
}

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}
