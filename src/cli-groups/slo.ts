import { Option, type Command } from 'commander';
import type { RegisterGroup } from './types.js';

/** `slo validate | generate | check | report`: flags in, a lazily imported handler chosen. */
export const registerSloCommands: RegisterGroup = (program, select) => {
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
        const { runSloValidate } = await import('../commands/slo-validate.js');
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
    .option(
      '--runbook-base <url>',
      "set each alert's runbook_url to <url>/runbooks/<runbook>.md (the spec's own runbook wins)",
    )
    .option('--runbook-dir <dir>', 'runbooks for --runbook-base (default: the ones shipped with shopsre)')
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
          runbookBase?: string;
          runbookDir?: string;
        },
      ) => {
        select(async (ctx) => {
          const { runSloGenerate } = await import('../commands/slo-generate.js');
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
      .option('--require-data', 'fail an SLO with too few events to judge (NO DATA) instead of warning')
      .option('--json', 'print the evaluation as JSON')
      .option('--junit <file>', 'also write a JUnit XML report')
      .option('--markdown <file>', 'also write a Markdown summary (for a CI step summary)');

  type EvaluationFlags = {
    prometheus?: string;
    results?: string;
    policy?: string;
    at?: string;
    defaultSloPeriod: string;
    requireData?: boolean;
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
        const { runSloEvaluation } = await import('../commands/slo-check.js');
        return runSloEvaluation({ paths, ...opts, json: Boolean(opts.json), gate: true }, ctx);
      });
    });

  addEvaluationOptions(
    slo.command('report').description('print the same evaluation as `slo check` without gating (exit 0)'),
  ).action((paths: string[], opts: EvaluationFlags) => {
    select(async (ctx) => {
      const { runSloEvaluation } = await import('../commands/slo-check.js');
      return runSloEvaluation({ paths, ...opts, json: Boolean(opts.json), gate: false }, ctx);
    });
  });
};
