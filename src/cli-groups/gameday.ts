import { collect } from './options.js';
import type { RegisterGroup } from './types.js';

/** `gameday run | list | validate | init | report`: flags in, a lazily imported handler chosen. */
export const registerGameDayCommands: RegisterGroup = (program, select) => {
  const gameday = program
    .command('gameday')
    .description('game days: load, faults and SLOs in one run, and the postmortem it leaves behind');

  gameday
    .command('run')
    .description('run a game day end to end (the embedded store, or your own) and write its postmortem')
    .argument('<scenario>', 'a ready scenario by name (shopsre gameday list) or a scenario file')
    .option(
      '--out <dir>',
      'where the journal, postmortem and charts go (default gamedays/<UTC time>-<scenario>/)',
    )
    .option('--json', 'print the verdict and the journal path as one JSON line')
    .option('--junit <file>', 'also write the JUnit XML here (one test case per expectation and check)')
    .option('--seed <n>', "override the scenario's seed")
    .option('--time-scale <n>', "override the scenario's time scale (60: the 1 h alert window runs as 1 min)")
    .option(
      '--prometheus <url>',
      'use a Prometheus you run, which scrapes your target and runs this game day’s rules (a target of your own only)',
    )
    .option('--no-prometheus', 'do not start a real Prometheus even when it is installed')
    .option('--with-prometheus', 'require a real Prometheus (exit 3 when the binary is missing)')
    .option(
      '--allow-target <host>',
      'let a target of your own be on this host beyond loopback (repeatable), as load run does',
      collect,
      [],
    )
    .option('--drill', "when an alert fires, run its runbook's read-only steps into the timeline")
    .option('--state <file>', 'chaos state file, shared with shopsre chaos (default .shopsre/state.json)')
    .option(
      '--keep-database',
      "keep the embedded store's database in <out>/database, to read its books afterwards",
    )
    .addHelpText(
      'after',
      [
        '',
        'Phases: start (embedded store, fault proxies, Prometheus if installed) -> baseline -> steady-state',
        'check -> inject (each fault verified) -> recover (until the steady state holds again) -> verify',
        '(store invariants, no fault left) -> report. Every fault is reverted on every way out, Ctrl-C too.',
        '',
        'Exit codes: 0 the hypothesis held; 1 refuted (an expectation, invariant or steady state failed, a',
        'stop condition fired) or interrupted; 2 bad scenario or flags; 3 the environment failed; 4 a bug.',
        '',
        'Examples:',
        '  shopsre gameday run vendor-outage',
        '  shopsre gameday run both-vendors-down --out gd --junit gd.xml',
        '  shopsre gameday run ./my-scenario.yaml --with-prometheus',
        '  shopsre gameday run ./my-stack.yaml --prometheus http://127.0.0.1:9090   # target: { storeUrl, metricsUrl, chaosUrl }',
      ].join('\n'),
    )
    .action(
      (
        scenario: string,
        opts: {
          out?: string;
          json?: boolean;
          junit?: string;
          seed?: string;
          timeScale?: string;
          prometheus: string | boolean | undefined;
          withPrometheus?: boolean;
          allowTarget: string[];
          state?: string;
          keepDatabase?: boolean;
          drill?: boolean;
        },
      ) => {
        select(async (ctx) => {
          const { runGameDayCommand } = await import('../commands/gameday-run.js');
          return runGameDayCommand(
            {
              scenario,
              json: Boolean(opts.json),
              // --prometheus URL and --no-prometheus share a key: a string, false, or absent.
              prometheus: opts.prometheus !== false,
              ...(typeof opts.prometheus === 'string' ? { prometheusUrl: opts.prometheus } : {}),
              withPrometheus: Boolean(opts.withPrometheus),
              allowTarget: opts.allowTarget,
              ...(opts.out === undefined ? {} : { out: opts.out }),
              ...(opts.junit === undefined ? {} : { junit: opts.junit }),
              ...(opts.seed === undefined ? {} : { seed: opts.seed }),
              ...(opts.timeScale === undefined ? {} : { timeScale: opts.timeScale }),
              ...(opts.state === undefined ? {} : { state: opts.state }),
              ...(opts.keepDatabase ? { keepDatabase: true } : {}),
              ...(opts.drill ? { drill: true } : {}),
            },
            ctx,
          );
        });
      },
    );

  gameday
    .command('list')
    .description('the ready scenarios shipped with shopsre')
    .option('--json', 'one JSON document')
    .action((opts: { json?: boolean }) => {
      select(async (ctx) => {
        const { runGameDayList } = await import('../commands/gameday-misc.js');
        return runGameDayList({ json: Boolean(opts.json) }, ctx);
      });
    });

  gameday
    .command('validate')
    .description('check scenario files: every finding as file:line:col')
    .argument('<files...>', 'scenario files')
    .addHelpText('after', '\nExit codes: 0 valid, 2 a file is invalid.')
    .action((files: string[]) => {
      select(async (ctx) => {
        const { runGameDayValidate } = await import('../commands/gameday-misc.js');
        return runGameDayValidate(files, ctx);
      });
    });

  gameday
    .command('init')
    .description('write a commented scenario to start from')
    .argument('<name>', 'scenario name; writes <name>.yaml')
    .option('--force', 'overwrite an existing file')
    .action((name: string, opts: { force?: boolean }) => {
      select(async (ctx) => {
        const { runGameDayInit } = await import('../commands/gameday-misc.js');
        return runGameDayInit(name, { force: Boolean(opts.force) }, ctx);
      });
    });

  gameday
    .command('report')
    .description('render the postmortem, charts, summary and JUnit again from a journal, byte for byte')
    .argument('<journal>', 'journal.json of a game day')
    .option('--out <dir>', "where to write (default: the journal's folder)")
    .action((journal: string, opts: { out?: string }) => {
      select(async (ctx) => {
        const { runGameDayReport } = await import('../commands/gameday-misc.js');
        return runGameDayReport(journal, opts.out === undefined ? {} : { out: opts.out }, ctx);
      });
    });
};
