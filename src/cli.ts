import { Command, CommanderError, Option } from 'commander';
import { systemClock, type Clock } from './core/clock.js';
import { ExitCode, ShopsreError } from './core/errors.js';
import type { Io } from './core/io.js';
import { createLogger } from './core/logger.js';
import type { CommandContext } from './commands/context.js';
import { version } from './version.js';

export interface RunOptions {
  readonly clock?: Clock;
}

type Handler = (ctx: CommandContext) => Promise<ExitCode>;

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
  io.stderr.write(`internal error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('run again with --debug for a stack trace, and report it as a bug\n');
  return ExitCode.checkFailed;
}

function buildProgram(io: Io, select: (handler: Handler) => void): Command {
  const program = new Command('shopsre')
    .description(
      'Reliability toolkit for e-commerce stacks: SLOs by customer segment, burn-rate alerts, CI gates.',
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

  const slo = program
    .command('slo')
    .description('define SLOs per customer segment, generate Prometheus rules, gate CI on error budgets');

  slo
    .command('validate')
    .description(
      'check SLO files (shopsre/v1, Sloth prometheus/v1, OpenSLO v1); every finding as file:line:col',
    )
    .argument('<paths...>', 'SLO files or directories (searched for *.yaml / *.yml)')
    .option('--json', 'print the findings (or the SLOs found) as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid, 2 a file is invalid.\n\nExample:\n  shopsre slo validate reference-store/slos.yaml examples/',
    )
    .action((paths: string[], opts: { json?: boolean }) => {
      select(async (ctx) => {
        const { runSloValidate } = await import('./commands/slo-validate.js');
        return runSloValidate({ paths, json: Boolean(opts.json) }, ctx);
      });
    });

  slo
    .command('generate')
    .description('generate Prometheus recording and multi-window multi-burn-rate alert rules')
    .argument('<paths...>', 'SLO files or directories')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['prometheus', 'prometheus-operator'])
        .default('prometheus'),
    )
    .option('-o, --out <file>', 'write rules to this file instead of stdout')
    .option('--tests <file>', 'also write a promtool unit-test file for the generated rules')
    .option('--default-slo-period <duration>', 'period of specs that carry none (as in Sloth)', '30d')
    .addOption(
      new Option('--compat <mode>', 'render byte-for-byte as another generator would').choices(['sloth']),
    )
    .option('--namespace <ns>', 'metadata.namespace of the PrometheusRule (prometheus-operator format)')
    .option('--name <name>', 'metadata.name of the PrometheusRule (prometheus-operator format)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  shopsre slo generate examples/checkout.slo.yaml > rules.yaml',
        '  shopsre slo generate examples/ --out rules.yaml --tests rules.test.yaml && promtool test rules rules.test.yaml',
        '  shopsre slo generate examples/checkout.slo.yaml --format prometheus-operator --namespace monitoring',
      ].join('\n'),
    )
    .action(
      (
        paths: string[],
        opts: {
          format: 'prometheus' | 'prometheus-operator';
          out?: string;
          tests?: string;
          defaultSloPeriod: string;
          compat?: 'sloth';
          namespace?: string;
          name?: string;
        },
      ) => {
        select(async (ctx) => {
          const { runSloGenerate } = await import('./commands/slo-generate.js');
          return runSloGenerate({ paths, ...opts }, ctx);
        });
      },
    );

  const addEvaluationOptions = (command: Command): Command =>
    command
      .argument('<paths...>', 'SLO files or directories')
      .option('--prometheus <url>', 'evaluate against this Prometheus HTTP API')
      .option('--results <file>', 'evaluate a load run results file (shopsre load run --out)')
      .option('--policy <file>', 'error-budget policy file (shopsre/v1 BudgetPolicy)')
      .option('--at <time>', 'evaluate at this time (RFC 3339 or unix seconds) instead of now')
      .option('--default-slo-period <duration>', 'period of specs that carry none', '30d')
      .option('--json', 'print the evaluation as JSON')
      .option('--junit <file>', 'also write a JUnit XML report')
      .option('--markdown <file>', 'also write a Markdown summary (for a CI step summary)');

  type EvaluationFlags = {
    prometheus?: string;
    results?: string;
    policy?: string;
    at?: string;
    defaultSloPeriod: string;
    json?: boolean;
    junit?: string;
    markdown?: string;
  };

  addEvaluationOptions(
    slo
      .command('check')
      .description('gate a release: evaluate every SLO per segment and apply the error-budget policy'),
  )
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 pass, 1 a check failed, 2 bad input, 3 Prometheus unreachable or query error.',
        '',
        'Examples:',
        '  shopsre slo check slos.yaml --prometheus http://127.0.0.1:9090',
        '  shopsre slo check slos.yaml --results load.json --junit slo.xml --markdown "$GITHUB_STEP_SUMMARY"',
      ].join('\n'),
    )
    .action((paths: string[], opts: EvaluationFlags) => {
      select(async (ctx) => {
        const { runSloEvaluation } = await import('./commands/slo-check.js');
        return runSloEvaluation({ paths, ...opts, json: Boolean(opts.json), gate: true }, ctx);
      });
    });

  addEvaluationOptions(
    slo.command('report').description('print the same evaluation as `slo check` without gating (exit 0)'),
  ).action((paths: string[], opts: EvaluationFlags) => {
    select(async (ctx) => {
      const { runSloEvaluation } = await import('./commands/slo-check.js');
      return runSloEvaluation({ paths, ...opts, json: Boolean(opts.json), gate: false }, ctx);
    });
  });

  return program;
}
