import type { Runbook } from './model.js';
import { placeholderValues, type PlaceholderValues } from './placeholders.js';
import { runStep, skippedStep } from './run-step.js';
import { createShopsreShim, currentShopsre, type ShopsreInvocation } from './shopsre-shim.js';
import type { StepRecord } from './step-record.js';

export interface ReadOnlyRunOptions {
  /** The steps' environment (PATH, secrets for `store verify`...); the shim goes first on its PATH. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Stops the step in flight and the rest. */
  readonly signal?: AbortSignal;
  readonly now: () => number;
  /** Called as each step ends, before the next starts (a game day journals it). */
  readonly onStep?: (record: StepRecord) => void;
  /** `$STORE_URL`, `$PROMETHEUS_URL`, `$SLO_FILE`...; they win over the labels. */
  readonly values?: PlaceholderValues;
  /** What `shopsre` in a step runs; default: this process's node and script (`currentShopsre()`). */
  readonly shopsre?: ShopsreInvocation;
}

/**
 * The read-only steps of a runbook, in order, without prompts: what `runbook run --yes --readonly`
 * and a game day's drill do. A mutating step is recorded as skipped and never run: only a person
 * says yes to a change. A step whose placeholders have no value is skipped with the reason.
 */
export async function runReadOnlySteps(
  runbook: Runbook,
  labels: Readonly<Record<string, string>>,
  options: ReadOnlyRunOptions,
): Promise<StepRecord[]> {
  const values = placeholderValues(labels, options.values);
  const shim = await createShopsreShim(options.shopsre ?? currentShopsre());
  const session = {
    env: { ...options.env, PATH: shim.pathFor(options.env.PATH) },
    cwd: options.cwd,
    now: options.now,
  };
  const records: StepRecord[] = [];
  try {
    for (const step of runbook.steps) {
      if (options.signal?.aborted) break;
      const record =
        step.effect === 'mutating'
          ? skippedStep(runbook.name, step, values, options.now(), 'mutating: runs only with a person’s yes')
          : await runStep(runbook.name, step, values, session, options.signal);
      records.push(record);
      options.onStep?.(record);
    }
  } finally {
    await shim.dispose();
  }
  return records;
}
