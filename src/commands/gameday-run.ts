import { copyFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { UsageError, type ExitCode } from '../core/errors.js';
import type { GameDaySetup } from '../gameday/game-day.js';
import { resolveScenario } from '../gameday/scenario/catalog.js';
import type { ShopsreInvocation } from '../runbook/shopsre-shim.js';
import { createLogger } from '../core/logger.js';
import type { CommandContext } from './context.js';
import { liveView } from './gameday-live.js';
import { numberFlag } from './number-flag.js';
import { abortOnStopSignal, type SignalSource } from './signals.js';

export interface GameDayRunOptions {
  readonly scenario: string;
  readonly out?: string;
  readonly json: boolean;
  readonly junit?: string;
  /** Overrides the scenario's seed. */
  readonly seed?: string;
  /** Overrides the scenario's time scale. */
  readonly timeScale?: string;
  /** commander's --no-prometheus / --with-prometheus. */
  readonly prometheus: boolean;
  readonly withPrometheus: boolean;
  /** `--prometheus URL`: one the user runs, which scrapes the target and runs this game day's rules. */
  readonly prometheusUrl?: string;
  /** Hosts beyond loopback the target may be on. */
  readonly allowTarget?: readonly string[];
  readonly state?: string;
  readonly keepDatabase?: boolean;
  readonly drill?: boolean;
}

export interface GameDayRunDeps {
  readonly signals?: SignalSource;
  /** What `shopsre` in a drilled runbook step runs (tests: the built binary); default this process. */
  readonly shopsre?: ShopsreInvocation;
}

/**
 * `gameday run <scenario>`: one game day end to end. Progress goes to stderr (a line per event, a
 * status line every 5 s); the postmortem's path and the verdict to stdout (`--json`: one line).
 * Exit 0 the hypothesis held; 1 refuted, or interrupted; 2 bad scenario or flags; 3 the
 * environment failed; 4 a bug.
 */
export async function runGameDayCommand(
  options: GameDayRunOptions,
  ctx: CommandContext,
  deps: GameDayRunDeps = {},
): Promise<ExitCode> {
  const { io, logger } = ctx;
  const { scenario: loaded, path } = await resolveScenario(options.scenario, io.cwd);
  const seed = numberFlag('--seed', options.seed, { integer: true, min: 0, max: 2 ** 31 });
  const timeScale = numberFlag('--time-scale', options.timeScale, { min: 1, max: 3600 });
  const scenario = {
    ...loaded,
    ...(seed === undefined ? {} : { seed }),
    ...(timeScale === undefined ? {} : { timeScale }),
  };
  const stop = abortOnStopSignal(deps.signals ?? process);
  logger.info(`game day ${scenario.name}: ${scenario.title}`, {
    timeScale: scenario.timeScale,
    seed: scenario.seed,
  });
  const { runScenario } = await import('../gameday/game-day.js');
  const live = await liveView(ctx, { json: options.json, scenario: scenario.name, title: scenario.title });
  try {
    const outcome = await runScenario({
      scenario,
      scenarioPath: path,
      cwd: io.cwd,
      env: io.env,
      clock: ctx.clock,
      signal: stop.signal,
      // Log lines go above the dashboard when there is one, or they would tear its frame.
      logger:
        live.stderr === io.stderr
          ? logger
          : createLogger({ sink: live.stderr, clock: ctx.clock, level: ctx.logLevel ?? 'info' }),
      prometheus: prometheusChoice(options),
      allowTarget: options.allowTarget ?? [],
      ...(options.out === undefined ? {} : { outDir: options.out }),
      ...(options.state === undefined ? {} : { statePath: options.state }),
      ...(options.keepDatabase ? { keepDatabase: true } : {}),
      ...(options.drill ? { drill: true } : {}),
      ...(deps.shopsre ? { shopsre: deps.shopsre } : {}),
      events: live,
    }).finally(() => live.close());
    const { journal, outDir } = outcome;
    if (options.junit !== undefined) {
      await copyFile(join(outDir, 'junit.xml'), resolve(io.cwd, options.junit));
    }
    const postmortem = relative(io.cwd, `${outDir}/postmortem.md`) || 'postmortem.md';
    if (options.json) {
      io.stdout.write(
        `${JSON.stringify({
          verdict: journal.verdict.outcome,
          exitCode: journal.verdict.exitCode,
          journal: `${outDir}/journal.json`,
          postmortem: `${outDir}/postmortem.md`,
          reasons: journal.verdict.reasons,
        })}\n`,
      );
    } else {
      io.stdout.write(
        [
          `verdict: ${journal.verdict.outcome.toUpperCase()} (exit ${journal.verdict.exitCode})`,
          ...journal.verdict.reasons.map((r) => `  - ${r}`),
          `postmortem: ${postmortem}`,
          `journal:    ${relative(io.cwd, `${outDir}/journal.json`)}`,
          '',
        ].join('\n'),
      );
    }
    return journal.verdict.exitCode as ExitCode;
  } finally {
    stop.dispose();
  }
}

function prometheusChoice(options: GameDayRunOptions): GameDaySetup['prometheus'] {
  if (options.prometheusUrl !== undefined) {
    if (options.withPrometheus || !options.prometheus) {
      throw new UsageError('--prometheus URL cannot be combined with --with-prometheus or --no-prometheus');
    }
    let url: URL;
    try {
      url = new URL(options.prometheusUrl);
    } catch {
      throw new UsageError(
        `--prometheus: "${options.prometheusUrl}" is not a URL (e.g. http://127.0.0.1:9090)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`--prometheus: "${options.prometheusUrl}" must be http or https`);
    }
    return { url: url.href.replace(/\/$/, '') };
  }
  return options.withPrometheus ? 'required' : options.prometheus ? 'auto' : 'off';
}
