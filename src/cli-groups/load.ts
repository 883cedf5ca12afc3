import { Option, type Command } from 'commander';
import { collect } from './options.js';
import type { RegisterGroup } from './types.js';

/** `load run | merge | k6`: flags in, a lazily imported handler chosen. */
export const registerLoadCommands: RegisterGroup = (program, select) => {
  const load = program
    .command('load')
    .description('synthetic checkout load per customer segment, measured from intended start times');

  addLoadPlanOptions(
    load
      .command('run')
      .description('run load against a target (loopback only unless --allow-target), with live progress'),
  )
    .option('--profile <file>', 'load profile (shopsre/v1 LoadProfile) for anything beyond flags; flags win')
    .option('--workers <n>', 'run on this many worker threads and merge (default 1)')
    .option('--out <file>', 'write the results JSON to this file')
    .option('--json', 'print the results JSON on stdout (tables go to stderr)')
    .option('--slo <file>', 'after the run, evaluate these SLOs on its results (as slo check --results)')
    .option('--require-data', 'with --slo: fail an SLO with too few events to judge instead of warning')
    .option('--abort-when <condition>', 'stop early, e.g. "error_rate>0.5 for 10s" (repeatable)', collect, [])
    .option('--allow-target <host>', 'allow load to a host that is not loopback (repeatable)', collect, [])
    .addHelpText(
      'after',
      [
        '',
        'Stop conditions: METRIC OP NUMBER [for DURATION], METRIC one of error_rate, p95_ms (slowest',
        'segment), rps (per second), errors, dropped (since the start); OP one of > >= < <=.',
        '',
        'Exit codes: 0 done, 1 SLO breached, stop condition held or interrupted, 2 bad input,',
        '3 target unreachable (every request failed to connect).',
        '',
        'Examples:',
        '  shopsre load run --target http://127.0.0.1:8080 --preset steady --duration 30s --out r.json',
        '  shopsre load run --target http://127.0.0.1:8080 --preset flash-sale --rate 20 --slo slos.yaml',
        '  shopsre load run --target http://127.0.0.1:8080/healthz --journey single --rate 5000 --workers 2',
        '  shopsre load run --profile load.yaml --abort-when "error_rate>0.5 for 10s" --abort-when "dropped>100"',
      ].join('\n'),
    )
    .action(
      (
        opts: LoadPlanFlags & {
          profile?: string;
          workers?: string;
          out?: string;
          json?: boolean;
          slo?: string;
          requireData?: boolean;
          abortWhen: string[];
          allowTarget: string[];
        },
      ) => {
        select(async (ctx) => {
          const { runLoadRun } = await import('../commands/load-run.js');
          return runLoadRun({ ...opts, json: Boolean(opts.json) }, ctx);
        });
      },
    );

  load
    .command('merge')
    .description('merge results of several runs or machines; percentiles from the added histograms')
    .argument('<files...>', 'results files (shopsre load run --out)')
    .option('--out <file>', 'write the merged results to this file')
    .option('--json', 'print the merged results on stdout (the default without --out)')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 merged, 2 a file is unreadable or not a results document.',
        '',
        'Examples:',
        '  shopsre load merge eu.json us.json --out all.json',
        '  shopsre load merge eu.json us.json --out all.json && shopsre slo check slos.yaml --results all.json',
      ].join('\n'),
    )
    .action((files: string[], opts: { out?: string; json?: boolean }) => {
      select(async (ctx) => {
        const { runLoadMerge } = await import('../commands/load-merge.js');
        return runLoadMerge(
          files,
          { ...(opts.out === undefined ? {} : { out: opts.out }), json: Boolean(opts.json) },
          ctx,
        );
      });
    });

  addLoadPlanOptions(
    load
      .command('k6')
      .description('the same plan as a k6 script, or as k6-operator objects created with --apply')
      .argument('[profile]', 'load profile (shopsre/v1 LoadProfile); flags win over it'),
  )
    .option('--slo <file>', 'SLO file: one k6 threshold per SLO and segment')
    .option('--out <file>', 'write the script (or the manifests) to this file instead of stdout')
    .option('--operator', 'print a ConfigMap holding the script and a k6-operator TestRun')
    .option('--parallelism <n>', 'runner pods of the TestRun; k6 splits the load between them (default 1)')
    .option('--namespace <ns>', 'namespace of the ConfigMap and TestRun; required with --apply, never kube-*')
    .option('--name <name>', 'name of the ConfigMap and TestRun (default the run id, shopsre-DATE-TIME)')
    .option('--apply', 'create them in the current kube context; without it nothing is sent')
    .option('--kubeconfig <file>', 'kubeconfig to use instead of KUBECONFIG or ~/.kube/config')
    .option(
      '--allow-target <host>',
      'with --apply: let the runners load a host other than a Service of --namespace (repeatable)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      [
        '',
        'Targets: with --apply the runners may load a Service of their own namespace (store, store.NS,',
        'store.NS.svc...) without asking; any other host needs --allow-target HOST, as load run does.',
        '',
        'Thresholds: availability SLOs as rate<=budget on a Rate of failed requests, latency SLOs as',
        'p(objective)<=threshold on a Trend, one custom metric per SLO; dropped_iterations count<1 for',
        'arrival-rate executors. None aborts the test; all are reported at its end.',
        '',
        'Exit codes: 0 written (and created with --apply), 2 bad input or a refused namespace,',
        '3 the Kubernetes API server failed (object exists, forbidden, no k6-operator, unreachable).',
        '',
        'Examples:',
        '  shopsre load k6 --target http://store.shop.svc:8080 --preset flash-sale --slo slos.yaml --out script.js',
        '  shopsre load k6 load.yaml --slo slos.yaml --operator --parallelism 4 --namespace load > testrun.yaml',
        '  shopsre load k6 load.yaml --slo slos.yaml --operator --parallelism 4 --namespace load --apply',
      ].join('\n'),
    )
    .action(
      (
        profile: string | undefined,
        opts: LoadPlanFlags & {
          slo?: string;
          out?: string;
          operator?: boolean;
          parallelism?: string;
          namespace?: string;
          name?: string;
          apply?: boolean;
          kubeconfig?: string;
          allowTarget: string[];
        },
      ) => {
        select(async (ctx) => {
          const { runLoadK6 } = await import('../commands/load-k6.js');
          return runLoadK6(
            { ...opts, profile, operator: Boolean(opts.operator), apply: Boolean(opts.apply) },
            ctx,
          );
        });
      },
    );
};

/** The flags that describe a load plan, shared by `load run` and `load k6` so both read them alike. */
interface LoadPlanFlags {
  target?: string;
  executor?: 'constant-arrival-rate' | 'ramping-arrival-rate' | 'constant-vus' | 'ramping-vus';
  rate?: string;
  vus?: string;
  duration?: string;
  maxInFlight?: string;
  journey?: 'checkout' | 'single';
  seed?: string;
  preset?: 'steady' | 'flash-sale' | 'spike' | 'hot-product';
}

function addLoadPlanOptions(command: Command): Command {
  return command
    .option('--target <url>', 'base URL of the store (checkout) or the URL to GET (single)')
    .addOption(
      new Option('--executor <kind>', 'how iterations are paced (default constant-arrival-rate)').choices([
        'constant-arrival-rate',
        'ramping-arrival-rate',
        'constant-vus',
        'ramping-vus',
      ]),
    )
    .option('--rate <n>', 'iterations started per second (constant-arrival-rate; default 10)')
    .option('--vus <n>', 'virtual users looping iterations (constant-vus; default 10)')
    .option('--duration <duration>', 'length of the run, e.g. 30s, 5m (default 30s)')
    .option('--max-in-flight <n>', 'iterations in flight at once before starts wait (default 100)')
    .addOption(
      new Option('--journey <kind>', 'what one iteration does (default checkout)').choices([
        'checkout',
        'single',
      ]),
    )
    .option(
      '--seed <n>',
      'seed of the journey and segment mix; the same seed replays the same journeys (default 1)',
    )
    .addOption(
      new Option('--preset <name>', 'load shape around --rate and --duration').choices([
        'steady',
        'flash-sale',
        'spike',
        'hot-product',
      ]),
    );
}
