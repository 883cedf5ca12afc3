import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { packageFile } from '../core/package-files.js';
import { loadRunbooks } from '../runbook/load-runbooks.js';
import { runbookUrls, withRunbookUrls } from '../runbook/runbook-urls.js';
import { loadSloFiles } from '../slo/load.js';
import type { Slo } from '../slo/model.js';
import { generateRuleGroups } from '../slo/rules/generate.js';
import { generatePromtoolTests } from '../slo/rules/promtool-tests.js';
import { renderPrometheusRule } from '../slo/rules/render-operator.js';
import { renderPrometheusRules } from '../slo/rules/render-prometheus.js';
import { version } from '../version.js';
import type { CommandContext } from './context.js';

export interface SloGenerateOptions {
  readonly paths: string[];
  readonly format: 'prometheus' | 'prometheus-operator';
  readonly out?: string;
  readonly tests?: string;
  readonly defaultSloPeriod: string;
  readonly compat?: 'sloth';
  readonly namespace?: string;
  readonly name?: string;
  /** Sets each alert's `runbook_url` to `<base>runbooks/<runbook>.md` unless its spec names one. */
  readonly runbookBase?: string;
  /** Where the runbooks are for `runbookBase`; default: the ones shipped with shopsre. */
  readonly runbookDir?: string;
}

/** `slo generate`: SLO files in, Prometheus rules (or a PrometheusRule) and promtool tests out. */
export async function runSloGenerate(options: SloGenerateOptions, ctx: CommandContext): Promise<ExitCode> {
  const { io, logger } = ctx;
  const defaultPeriodMs = parseDuration(options.defaultSloPeriod);
  if (defaultPeriodMs === undefined) {
    throw new UsageError(
      `--default-slo-period "${options.defaultSloPeriod}": expected a duration such as 30d`,
    );
  }
  if (options.tests !== undefined && options.format !== 'prometheus') {
    throw new UsageError(
      '--tests needs --format prometheus: promtool reads rule files, not PrometheusRule objects',
    );
  }
  if (options.tests !== undefined && options.out === undefined) {
    throw new UsageError('--tests needs --out: the test file names the rule file it tests');
  }

  const loaded = await loadSloFiles(options.paths, { defaultPeriodMs, cwd: io.cwd });
  const slos =
    options.runbookBase === undefined
      ? loaded
      : await linkRunbooks(loaded, options.runbookBase, options, ctx);
  const groups = generateRuleGroups(slos, { compat: options.compat, version, mode: 'cli-gen-prom' });
  const text =
    options.format === 'prometheus'
      ? renderPrometheusRules(groups, { compat: options.compat, version })
      : renderPrometheusRule(groups, slos, { version, name: options.name, namespace: options.namespace });

  if (options.out === undefined) io.stdout.write(text);
  else await writeOutput(resolve(io.cwd, options.out), text);
  if (options.tests !== undefined && options.out !== undefined) {
    const testsPath = resolve(io.cwd, options.tests);
    const rulesFile = relative(dirname(testsPath), resolve(io.cwd, options.out));
    await writeOutput(testsPath, generatePromtoolTests(slos, rulesFile));
  }
  const rules = groups.reduce((sum, group) => sum + group.rules.length, 0);
  logger.info(`generated ${rules} rules in ${groups.length} groups for ${slos.length} SLOs`, {
    format: options.format,
    out: options.out,
    tests: options.tests,
  });
  return ExitCode.ok;
}

/** Runbook links for every alert a runbook serves; alerts without one are named on stderr. */
async function linkRunbooks(
  slos: Slo[],
  base: string,
  options: SloGenerateOptions,
  ctx: CommandContext,
): Promise<Slo[]> {
  const dir =
    options.runbookDir === undefined ? packageFile('runbooks') : resolve(ctx.io.cwd, options.runbookDir);
  const urls = runbookUrls(await loadRunbooks(dir, { cwd: ctx.io.cwd }), base);
  const linked = withRunbookUrls(slos, urls);
  const without = [
    ...new Set(linked.filter((slo) => slo.alerting.runbookUrl === undefined).map((slo) => slo.alerting.name)),
  ];
  if (without.length > 0)
    ctx.logger.warn(`no runbook for ${without.join(', ')}: their alerts carry no runbook_url`);
  return linked;
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
