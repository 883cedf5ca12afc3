import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { EnvironmentError, ExitCode, UsageError } from '../core/errors.js';
import { parseLoadResults } from '../loadgen/results.js';
import { githubAnnotations } from '../slo/evaluate/annotations.js';
import { evaluateSlos, type SliSource } from '../slo/evaluate/evaluate.js';
import { renderJson } from '../slo/evaluate/json-report.js';
import { renderJunit } from '../slo/evaluate/junit.js';
import { renderMarkdown } from '../slo/evaluate/markdown.js';
import {
  defaultPolicy,
  parsePolicy,
  requiringData,
  unmatchableSteps,
  type BudgetPolicy,
} from '../slo/evaluate/policy.js';
import { prometheusSource } from '../slo/evaluate/prometheus-source.js';
import { loadResultsSource } from '../slo/evaluate/results-source.js';
import { renderTable } from '../slo/evaluate/table.js';
import { loadSloFiles } from '../slo/load.js';
import type { Slo } from '../slo/model.js';
import type { CommandContext } from './context.js';

export interface SloEvaluationOptions {
  readonly paths: string[];
  readonly prometheus?: string;
  readonly results?: string;
  readonly policy?: string;
  readonly at?: string;
  readonly defaultSloPeriod: string;
  readonly json: boolean;
  readonly junit?: string;
  readonly markdown?: string;
  /** `slo check`: exit 1 when an SLO fails. `slo report`: exit 0 whatever the verdict. */
  readonly gate: boolean;
  /** An SLO without enough events fails instead of warning (`--require-data`). */
  readonly requireData?: boolean;
}

/** `slo check` and `slo report`: evaluate every SLO per segment, print, write reports, choose the exit code. */
export async function runSloEvaluation(
  options: SloEvaluationOptions,
  ctx: CommandContext,
): Promise<ExitCode> {
  const { io, logger } = ctx;
  const from = sourceFlag(options);
  const defaultPeriodMs = parseDuration(options.defaultSloPeriod);
  if (defaultPeriodMs === undefined) {
    throw new UsageError(
      `--default-slo-period "${options.defaultSloPeriod}": expected a duration such as 30d`,
    );
  }
  const at = options.at === undefined ? ctx.clock.now() : parseTime(options.at);

  const slos = await loadSloFiles(options.paths, { defaultPeriodMs, cwd: io.cwd });
  const given = options.policy === undefined ? defaultPolicy : await readPolicy(options.policy, io.cwd);
  const policy = options.requireData ? requiringData(given) : given;
  for (const step of unmatchableSteps(policy, slos)) {
    logger.warn(
      `policy step "${step.name}" can never match: no alert tier has severity "${step.when.burnTierFiring}"`,
    );
  }
  const source = await openSource(from, slos, io.cwd);

  const evaluation = await evaluateSlos(slos, source, { at, policy });

  io.stdout.write(options.json ? renderJson(evaluation) : renderTable(evaluation));
  if (options.junit !== undefined)
    await writeReport(resolve(io.cwd, options.junit), renderJunit(evaluation), false);
  if (options.markdown !== undefined) {
    const target = resolve(io.cwd, options.markdown);
    // The step summary file may already hold what earlier commands of the step wrote: add to it.
    const summary = io.env.GITHUB_STEP_SUMMARY;
    await writeReport(
      target,
      renderMarkdown(evaluation),
      summary !== undefined && resolve(io.cwd, summary) === target,
    );
  }
  if (io.env.GITHUB_ACTIONS === 'true') {
    for (const line of githubAnnotations(evaluation)) io.stderr.write(`${line}\n`);
  }
  return options.gate && evaluation.verdict === 'fail' ? ExitCode.checkFailed : ExitCode.ok;
}

type SourceFlag = { readonly prometheus: string } | { readonly results: string };

function sourceFlag(options: SloEvaluationOptions): SourceFlag {
  if (options.prometheus !== undefined && options.results === undefined)
    return { prometheus: options.prometheus };
  if (options.results !== undefined && options.prometheus === undefined) return { results: options.results };
  throw new UsageError('give exactly one of --prometheus URL or --results FILE');
}

async function openSource(from: SourceFlag, slos: readonly Slo[], cwd: string): Promise<SliSource> {
  if ('prometheus' in from) {
    if (!URL.canParse(from.prometheus)) {
      throw new UsageError(`--prometheus "${from.prometheus}": expected a URL such as http://127.0.0.1:9090`);
    }
    return prometheusSource({ url: from.prometheus, fetch: (url, init) => fetch(url, init) });
  }
  const text = await readInput('--results', from.results, cwd);
  return loadResultsSource(parseLoadResults(displayPath(from.results, cwd), text), slos);
}

async function readPolicy(path: string, cwd: string): Promise<BudgetPolicy> {
  return parsePolicy(displayPath(path, cwd), await readInput('--policy', path, cwd));
}

async function readInput(flag: string, path: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot read it (${errorCode(error)})`);
  }
}

async function writeReport(path: string, text: string, append: boolean): Promise<void> {
  try {
    await (append ? appendFile(path, text) : writeFile(path, text));
  } catch (error) {
    throw new EnvironmentError(`cannot write ${path} (${errorCode(error)})`);
  }
}

/** Paths in findings are shown relative to the working directory, as the SLO loader shows them. */
function displayPath(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  return relative(cwd, absolute) || absolute;
}

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** `--at`: RFC 3339 with a zone, or unix seconds (what `date +%s` and Prometheus' `time=` use). */
function parseTime(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const ms = rfc3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--at "${text}": expected RFC 3339 (2025-01-31T12:00:00Z) or unix seconds (1738324800)`,
    );
  }
  return ms;
}
