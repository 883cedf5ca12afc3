import { spawn } from 'node:child_process';
import type { RunbookStep } from './model.js';
import { fillPlaceholders, missingPlaceholders, type PlaceholderValues } from './placeholders.js';
import { outputExcerpt, type StepOutcome, type StepRecord } from './step-record.js';

/** Where and how steps run: the shell's environment (PATH with the shopsre shim), folder and clock. */
export interface StepSession {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Milliseconds since the epoch; the record's time and duration come from it. */
  readonly now: () => number;
}

/** Output kept per step; the record holds only its tail. */
const outputLimit = 256 * 1024;
/** A step that ignores SIGTERM this long after a stop or its timeout is killed. */
const killGraceMs = 2_000;

/**
 * Runs one step with `/bin/sh -c` in its own process group, placeholders as environment variables,
 * bounded by its timeout; `signal` (the engineer's stop) ends the whole group. The check passes when
 * the exit code is the expected one and, with a `match`, the output matches it.
 */
export async function runStep(
  runbook: string,
  step: RunbookStep,
  values: PlaceholderValues,
  session: StepSession,
  signal?: AbortSignal,
): Promise<StepRecord> {
  const startMs = session.now();
  const base = {
    time: new Date(startMs).toISOString(),
    runbook,
    step: step.name,
    effect: step.effect,
    command: fillPlaceholders(step.command, values).trim(),
  };
  const missing = missingPlaceholders(step.command, values);
  if (missing.length > 0) {
    return passedOver(base, step, 'skipped', `no value for ${missing.map((m) => `$${m}`).join(', ')}`);
  }
  if (signal?.aborted) return passedOver(base, step, 'stopped', 'stopped before it ran');

  const env = { ...session.env, ...values };
  const child = spawn('/bin/sh', ['-c', step.command], {
    cwd: session.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-outputLimit);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  let ended: 'timed-out' | 'stopped' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const endGroup = (why: 'timed-out' | 'stopped'): void => {
    if (ended || child.pid === undefined) return;
    ended = why;
    killGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), killGraceMs);
  };
  const timeout = setTimeout(() => endGroup('timed-out'), step.timeoutMs);
  const onAbort = (): void => endGroup('stopped');
  signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  clearTimeout(timeout);
  clearTimeout(killTimer);
  signal?.removeEventListener('abort', onAbort);

  const durationMs = Math.max(0, session.now() - startMs);
  if (exit.error) output += `\n${exit.error.message}`;
  const excerpt = outputExcerpt(output, env);
  if (ended) {
    const reason =
      ended === 'timed-out' ? `timed out after ${step.timeoutMs / 1000}s` : 'stopped by the engineer';
    return {
      ...base,
      outcome: ended,
      exitCode: null,
      durationMs,
      check: { ...step.check, passed: false },
      output: excerpt,
      reason,
    };
  }
  const passed =
    exit.code === step.check.exitCode &&
    (step.check.match === undefined || new RegExp(step.check.match, 'm').test(output));
  const outcome: StepOutcome = passed ? 'passed' : 'failed';
  return {
    ...base,
    outcome,
    exitCode: exit.code,
    durationMs,
    check: { ...step.check, passed },
    output: excerpt,
  };
}

function passedOver(
  base: Pick<StepRecord, 'time' | 'runbook' | 'step' | 'effect' | 'command'>,
  step: RunbookStep,
  outcome: 'skipped' | 'stopped',
  reason: string,
): StepRecord {
  return {
    ...base,
    outcome,
    exitCode: null,
    durationMs: 0,
    check: { ...step.check, passed: null },
    output: '',
    reason,
  };
}

/** A step is the leader of its own group (`detached`), so its children go with it. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** A record for a step the engineer (or `--readonly`) chose not to run. */
export function skippedStep(
  runbook: string,
  step: RunbookStep,
  values: PlaceholderValues,
  nowMs: number,
  reason: string,
): StepRecord {
  return passedOver(
    {
      time: new Date(nowMs).toISOString(),
      runbook,
      step: step.name,
      effect: step.effect,
      command: fillPlaceholders(step.command, values).trim(),
    },
    step,
    'skipped',
    reason,
  );
}
