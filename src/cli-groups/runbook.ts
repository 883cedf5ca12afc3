import type { Command } from 'commander';
import { collect } from './options.js';
import type { CommandTree } from '../commands/runbook-lint.js';
import type { Handler } from './types.js';

interface SessionCliFlags {
  dir?: string;
  storeUrl?: string;
  prometheusUrl?: string;
  sloFile?: string;
  label: string[];
}

interface RunCliFlags extends SessionCliFlags {
  record?: string;
  yes?: boolean;
  readonly?: boolean;
}

const dirOption = (command: Command): Command =>
  command.option('--dir <dir>', 'runbooks folder (default: the runbooks shipped with shopsre)');

/** Flags that fill placeholders: `--label k=v` as an alert's labels, then the URLs and the SLO file. */
const placeholderOptions = (command: Command): Command =>
  dirOption(command)
    .option('--label <name=value>', 'an alert label, e.g. segment=vip ($SEGMENT); repeatable', collect, [])
    .option('--store-url <url>', '$STORE_URL (default http://127.0.0.1:8080)')
    .option('--prometheus-url <url>', '$PROMETHEUS_URL (steps that need it are skipped without it)')
    .option('--slo-file <file>', "$SLO_FILE (default: the reference store's slos.yaml)");

const runOptions = (command: Command): Command =>
  placeholderOptions(command)
    .option(
      '--record <file>',
      'append every step (UTC time, command, exit code, duration, output) as JSON lines',
    )
    .option('--yes', 'no prompts: with --readonly, run the read-only steps (CI, drills)')
    .option('--readonly', 'run only read-only steps; mutating steps are recorded as skipped');

const sessionFlags = (opts: RunCliFlags) => ({
  labels: opts.label,
  yes: Boolean(opts.yes),
  readonly: Boolean(opts.readonly),
  ...(opts.dir === undefined ? {} : { dir: opts.dir }),
  ...(opts.storeUrl === undefined ? {} : { storeUrl: opts.storeUrl }),
  ...(opts.prometheusUrl === undefined ? {} : { prometheusUrl: opts.prometheusUrl }),
  ...(opts.sloFile === undefined ? {} : { sloFile: opts.sloFile }),
  ...(opts.record === undefined ? {} : { record: opts.record }),
});

const exitCodes =
  '\nExit codes: 0 every step that ran passed its check; 1 a check failed, a step timed out, or stopped; 2 bad runbook or flags; 3 unreachable alert source.';

/** `runbook list | show | run | alerts | lint`: flags in, a lazily imported handler chosen. */
export const registerRunbookCommands = (
  program: Command,
  select: (handler: Handler) => void,
  tree: CommandTree,
): void => {
  const runbook = program
    .command('runbook')
    .description('runbooks for on-call: one per alert and per fault, runnable step by step, checked in CI');

  dirOption(runbook.command('list').description('every runbook and the alerts and faults it serves'))
    .option('--json', 'one JSON document')
    .action((opts: { dir?: string; json?: boolean }) => {
      select(async (ctx) => {
        const { runRunbookList } = await import('../commands/runbook-list.js');
        return runRunbookList(
          { json: Boolean(opts.json), ...(opts.dir === undefined ? {} : { dir: opts.dir }) },
          ctx,
        );
      });
    });

  placeholderOptions(
    runbook
      .command('show')
      .description('print a runbook for the terminal (colour on a TTY unless NO_COLOR is set)')
      .argument('<runbook>', 'a runbook name, or an alert or fault it serves'),
  ).action((key: string, opts: SessionCliFlags) => {
    select(async (ctx) => {
      const { runRunbookShow } = await import('../commands/runbook-show.js');
      return runRunbookShow({ key, ...sessionFlags(opts) }, ctx);
    });
  });

  runOptions(
    runbook
      .command('run')
      .description('walk a runbook step by step: Enter runs a read-only step, a mutating one asks first')
      .argument('[runbook]', 'a runbook name, or an alert or fault it serves')
      .option(
        '--alert-file <file>',
        "an Alertmanager webhook payload: open its firing alert's runbook with its labels",
      ),
  )
    .addHelpText(
      'after',
      [
        exitCodes,
        '',
        'Examples:',
        '  shopsre runbook run CheckoutAvailabilityBudgetBurn --label segment=vip --record incident.jsonl',
        '  shopsre runbook run --alert-file webhook.json',
        '  shopsre runbook run payment-vendor-outage --yes --readonly --store-url http://127.0.0.1:8080',
      ].join('\n'),
    )
    .action((key: string | undefined, opts: RunCliFlags & { alertFile?: string }) => {
      select(async (ctx) => {
        const { runRunbookRun } = await import('../commands/runbook-run.js');
        return runRunbookRun(
          {
            ...sessionFlags(opts),
            ...(key === undefined ? {} : { key }),
            ...(opts.alertFile === undefined ? {} : { alertFile: opts.alertFile }),
          },
          ctx,
        );
      });
    });

  runOptions(
    runbook
      .command('alerts')
      .description('the alerts firing now with their runbooks; --open N runs one with its labels')
      .option('--alertmanager <url>', 'read /api/v2/alerts of this Alertmanager')
      .option('--prometheus <url>', 'read /api/v1/alerts of this Prometheus (also $PROMETHEUS_URL)')
      .option('--open <n>', 'open the firing alert with this number (as listed) or name')
      .option('--json', 'list as one JSON document'),
  )
    .addHelpText(
      'after',
      `${exitCodes}\n\nExample:\n  shopsre runbook alerts --prometheus http://127.0.0.1:9090 --open 1`,
    )
    .action(
      (opts: RunCliFlags & { alertmanager?: string; prometheus?: string; open?: string; json?: boolean }) => {
        select(async (ctx) => {
          const { runRunbookAlerts } = await import('../commands/runbook-alerts.js');
          return runRunbookAlerts(
            {
              ...sessionFlags(opts),
              json: Boolean(opts.json),
              ...(opts.alertmanager === undefined ? {} : { alertmanager: opts.alertmanager }),
              ...(opts.prometheus === undefined ? {} : { prometheus: opts.prometheus }),
              ...(opts.open === undefined ? {} : { open: opts.open }),
            },
            ctx,
          );
        });
      },
    );

  dirOption(
    runbook
      .command('lint')
      .description(
        'every generated alert and every fault has a runbook; steps name real shopsre commands and known placeholders',
      )
      .option(
        '--slos <file>',
        "SLO files whose alerts need runbooks (default: the reference store's); repeatable",
        collect,
        [],
      ),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 clean; 1 a finding (each as file:line:col); 2 bad SLO files or flags.',
    )
    .action((opts: { dir?: string; slos: string[] }) => {
      select(async (ctx) => {
        const { runRunbookLint } = await import('../commands/runbook-lint.js');
        return runRunbookLint(
          { slos: opts.slos, ...(opts.dir === undefined ? {} : { dir: opts.dir }) },
          ctx,
          tree,
        );
      });
    });
};
