import { Command, CommanderError, Option } from 'commander';
import { systemClock, type Clock } from './core/clock.js';
import { ExitCode, ShopsreError } from './core/errors.js';
import type { Io } from './core/io.js';
import { createLogger } from './core/logger.js';
import type { Handler } from './cli-groups/types.js';
import type { CommandContext } from './commands/context.js';
import { version } from './version.js';

export interface RunOptions {
  readonly clock?: Clock;
}

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
  io.stderr.write(
    `internal error (a bug in shopsre, exit 4): ${message}; rerun with --debug for the stack and report it\n`,
  );
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.internal;
}

/** The whole command tree; `runbook lint` parses the shopsre commands of runbook steps against it. */
export function buildProgram(io: Io, select: (handler: Handler) => void): Command {
  const program = new Command('shopsre')
    .description(
      'Reliability toolkit for e-commerce stacks: SLOs by customer segment, burn-rate alerts, CI gates, load, a reference store.',
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

  const load = program
    .command('load')
    .description('synthetic checkout load per customer segment, measured from intended start times');
  const collect = (value: string, previous: string[]): string[] => [...previous, value];

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
          const { runLoadRun } = await import('./commands/load-run.js');
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
        const { runLoadMerge } = await import('./commands/load-merge.js');
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
          const { runLoadK6 } = await import('./commands/load-k6.js');
          return runLoadK6(
            { ...opts, profile, operator: Boolean(opts.operator), apply: Boolean(opts.apply) },
            ctx,
          );
        });
      },
    );

  const store = program
    .command('store')
    .description(
      'the bundled reference store: catalog, cart, checkout, payments through vendors, CDN assets',
    );

  store
    .command('serve')
    .description('start the store with its vendors, CDN and (unless --database-url) the embedded database')
    .option('--port <port>', 'port of the store API (0: any free port)', '8080')
    .option('--host <host>', 'address to bind every server to', '127.0.0.1')
    .option(
      '--database-url <url>',
      'use this PostgreSQL (migrated and seeded on first use) instead of the embedded one',
    )
    .option('--replica-url <url>', 'a read replica: catalog reads go there, and fall back to the primary')
    .option('--seed <n>', 'seed of the catalog, stock and customers; the same seed gives the same store', '1')
    .option('--products <n>', 'products in the seeded catalog (default 2000)')
    .option('--data-dir <dir>', 'keep the embedded database here across runs (default: a fresh copy per run)')
    .option('--max-in-flight <n>', 'requests in flight before the store sheds load with 503 (default 256)')
    .option('--chaos-port <port>', "port of the fault proxies' control API (0: any free port)", '8474')
    .option('--no-fault-proxies', 'connect the store to its dependencies directly, with no fault proxies')
    .option(
      '--admin-token <token>',
      'bearer token /admin/* requires (prefer SHOPSRE_ADMIN_TOKEN: a flag is visible in ps)',
    )
    .option('--json', 'print the addresses as one JSON line (for scripts)')
    .addHelpText(
      'after',
      [
        '',
        'A fault proxy sits on every link (database, vendor-primary, vendor-backup, cdn-edge, and',
        'cdn-origin between edge and origin); `shopsre chaos inject` drives them through the control API.',
        'Every dependency listens on its own loopback port so faults can be put between them. The',
        "store's JSON logs go to stderr; OTEL_EXPORTER_OTLP_ENDPOINT turns on OTLP trace export.",
        'Bound beyond loopback (--host 0.0.0.0), /admin/* requires a bearer token: SHOPSRE_ADMIN_TOKEN, or',
        '--admin-token (visible to anyone running ps), else one made up and printed once on stdout.',
        'Exit codes: 0 stopped by SIGINT/SIGTERM, 2 bad flags, 3 a port or the database is unavailable.',
        '',
        'Examples:',
        '  shopsre store serve',
        '  shopsre store serve --port 9000 --seed 7 --json',
        '  shopsre store serve --database-url postgres://shop@127.0.0.1:5432/shop --replica-url postgres://shop@127.0.0.1:5433/shop',
        "  curl -s localhost:8080/api/products?q=kettle -H 'x-customer-segment: vip'",
      ].join('\n'),
    )
    .action(
      (opts: {
        port: string;
        host: string;
        databaseUrl?: string;
        replicaUrl?: string;
        seed: string;
        products?: string;
        dataDir?: string;
        maxInFlight?: string;
        chaosPort: string;
        faultProxies: boolean;
        adminToken?: string;
        json?: boolean;
      }) => {
        select(async (ctx) => {
          const { runStoreServe } = await import('./commands/store-serve.js');
          return runStoreServe({ ...opts, json: Boolean(opts.json) }, ctx);
        });
      },
    );

  store
    .command('verify')
    .description("check the store's invariants: orders, charges at the vendors, stock, open payments")
    .option('--url <url>', 'a running store (default http://127.0.0.1:8080); checks the vendor ledgers too')
    .option(
      '--database-url <url>',
      "the store's database, and the ledgers of the vendors given with --vendor",
    )
    .option(
      '--vendor <name=url>',
      'with --database-url: a vendor whose ledger to read, its key in SHOPSRE_VENDOR_<NAME>_KEY (repeatable)',
      collect,
      [],
    )
    .option('--acknowledged <file>', 'JSON array of { idempotencyKey, orderId? } a client saw answered 2xx')
    .option('--no-reconcile', 'do not settle open payments before checking (with --url)')
    .option(
      '--admin-token <token>',
      "with --url: the store's admin token; prefer SHOPSRE_ADMIN_TOKEN (a flag is visible in ps)",
    )
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Invariants: every acknowledged checkout has exactly one order; every paid order exactly one',
        'captured charge across vendors, of its total; every charge belongs to a paid order or has been',
        'refunded; stock never negative and equal to initial stock minus units sold; no order left',
        'pending or unknown. With --database-url and no --vendor, charges are not checked (and said so).',
        'A store bound beyond loopback requires its admin token: set SHOPSRE_ADMIN_TOKEN (store serve',
        'prints the one it made up); --admin-token works too, but anyone running ps can read it.',
        'Exit codes: 0 what was checked holds, 1 a violation, 2 bad input, 3 the store, database or a',
        'vendor ledger is unreachable.',
        '',
        'Examples:',
        '  shopsre store verify',
        '  shopsre store verify --url http://127.0.0.1:9000 --acknowledged acked.json --json',
        '  shopsre store verify --database-url postgres://shop@127.0.0.1:5432/shop',
        '  SHOPSRE_VENDOR_PRIMARY_KEY=sk_test_1 SHOPSRE_VENDOR_BACKUP_KEY=sk_test_2 shopsre store verify \\',
        '    --database-url postgres://shop@127.0.0.1:5432/shop \\',
        '    --vendor primary=http://127.0.0.1:34129 --vendor backup=http://127.0.0.1:44133',
      ].join('\n'),
    )
    .action(
      (opts: {
        url?: string;
        databaseUrl?: string;
        vendor: string[];
        acknowledged?: string;
        reconcile: boolean;
        adminToken?: string;
        json?: boolean;
      }) => {
        select(async (ctx) => {
          const { runStoreVerify } = await import('./commands/store-verify.js');
          return runStoreVerify({ ...opts, json: Boolean(opts.json) }, ctx);
        });
      },
    );

  const chaos = program
    .command('chaos')
    .description(
      'inject faults between the store and its dependencies, locally or with Chaos Mesh; always reverted',
    );

  chaos
    .command('list')
    .description('the fault catalogue: every fault, its parameters, defaults and maximum duration')
    .option('--json', 'print the catalogue as JSON: [{ name, description, params }]')
    .action((opts: { json?: boolean }) => {
      select(async (ctx) => {
        const { runChaosList } = await import('./commands/chaos-list.js');
        return runChaosList({ json: Boolean(opts.json) }, ctx);
      });
    });

  const kubernetesOptions = (command: Command): Command =>
    command
      .option(
        '--namespace <ns>',
        'Kubernetes: namespace of the chaos objects and the pods they select (never kube-*)',
      )
      .option(
        '--allow-namespace <ns>',
        'Kubernetes: refuse any namespace but these (repeatable)',
        collect,
        [],
      )
      .option('--mode <mode>', 'Kubernetes blast radius: one, all, fixed, fixed-percent, random-max-percent')
      .option(
        '--value <n>',
        'Kubernetes blast radius: pods (fixed) or percent (fixed-percent, random-max-percent)',
      )
      .option(
        '--store-selector <label=value>',
        "Kubernetes: labels of the store's pods (repeatable)",
        collect,
        [],
      )
      .option(
        '--vendor-host <vendor=host>',
        'Kubernetes: primary=api.stripe.com, backup=... (repeatable)',
        collect,
        [],
      )
      .option('--cdn-origin-host <host>', 'Kubernetes: the host the CDN edge fetches from')
      .option(
        '--database-flavor <flavor>',
        'Kubernetes: who labels the database pods: cloudnativepg, patroni, custom',
      )
      .option('--database-cluster <name>', 'Kubernetes: only this database cluster of the operator')
      .option('--kubeconfig <file>', 'Kubernetes: kubeconfig instead of KUBECONFIG or ~/.kube/config');

  type KubernetesCliFlags = {
    namespace?: string;
    allowNamespace: string[];
    mode?: string;
    value?: string;
    storeSelector: string[];
    vendorHost: string[];
    cdnOriginHost?: string;
    databaseFlavor?: string;
    databaseCluster?: string;
    kubeconfig?: string;
    apply?: boolean;
  };
  const kubernetesFlags = (opts: KubernetesCliFlags) => ({
    ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
    allowNamespace: opts.allowNamespace,
    ...(opts.mode === undefined ? {} : { mode: opts.mode }),
    ...(opts.value === undefined ? {} : { value: opts.value }),
    storeSelector: opts.storeSelector,
    vendorHost: opts.vendorHost,
    ...(opts.cdnOriginHost === undefined ? {} : { cdnOriginHost: opts.cdnOriginHost }),
    ...(opts.databaseFlavor === undefined ? {} : { databaseFlavor: opts.databaseFlavor }),
    ...(opts.databaseCluster === undefined ? {} : { databaseCluster: opts.databaseCluster }),
    ...(opts.kubeconfig === undefined ? {} : { kubeconfig: opts.kubeconfig }),
    apply: Boolean(opts.apply),
  });

  const stateOption = (command: Command): Command =>
    command.option('--state <file>', 'where injected faults are recorded (default .shopsre/state.json)');

  kubernetesOptions(
    stateOption(
      chaos
        .command('inject')
        .description(
          'inject a fault, verify it took effect, hold it, then revert it (also on Ctrl-C and SIGTERM)',
        )
        .argument('<fault>', 'a fault of `shopsre chaos list`')
        .option('--for <duration>', "how long the fault lasts, e.g. 30s, 5m (default: the fault's, 30s)")
        .option('--param <name=value>', 'a parameter of the fault (repeatable)', collect, [])
        .addOption(
          new Option('--target <driver>', 'who carries it out')
            .choices(['local', 'kubernetes'])
            .default('local'),
        )
        .option(
          '--proxy-url <url>',
          'local: the fault proxies of `store serve` (default http://127.0.0.1:8474)',
        )
        .option(
          '--replica-address <host:port>',
          'local db-failover on PostgreSQL: where the promoted replica listens',
        )
        .option(
          '--promote-command <cmd>',
          'local db-failover on PostgreSQL: stops the primary and promotes the replica',
        )
        .option('--json', 'print one JSON line when the fault is reverted')
        .option('--apply', 'Kubernetes: create the Chaos Mesh objects; without it they are only printed'),
    ),
  )
    .addHelpText(
      'after',
      [
        '',
        'The fault is written to the state file before it is injected and removed once reverted; each',
        'toxic also carries a TTL in the proxy itself. A run killed with SIGKILL is reverted by the next',
        '`chaos inject` or by `chaos revert`.',
        'Exit codes: 0 reverted (also when stopped early), 2 bad input, 3 the proxies are unreachable or',
        'the fault did not take effect (it is reverted).',
        '',
        'Examples:',
        '  shopsre chaos inject vendor-outage --for 30s',
        '  shopsre chaos inject vendor-outage --for 2m --param mode=hang --param rate=0.5',
        '  shopsre chaos inject db-failover --param unavailableMs=5000',
        '  shopsre chaos inject cdn-slowness --param where=edge --param latencyMs=800 --json',
        '  shopsre chaos inject db-failover --target kubernetes --namespace shop --database-flavor patroni --apply',
      ].join('\n'),
    )
    .action(
      (
        fault: string,
        opts: {
          for?: string;
          param: string[];
          target: 'local' | 'kubernetes';
          proxyUrl?: string;
          replicaAddress?: string;
          promoteCommand?: string;
          state?: string;
          json?: boolean;
        } & KubernetesCliFlags,
      ) => {
        select(async (ctx) => {
          const { runChaosInject } = await import('./commands/chaos-inject.js');
          return runChaosInject(
            { ...opts, fault, json: Boolean(opts.json), kubernetes: kubernetesFlags(opts) },
            ctx,
          );
        });
      },
    );

  kubernetesOptions(
    chaos
      .command('manifest')
      .description(
        'print the Chaos Mesh objects of a fault as YAML (validated against the CRD schemas in tests)',
      )
      .argument('<fault>', 'a fault of `shopsre chaos list`')
      .option('--for <duration>', "spec.duration of the objects (default: the fault's, 30s)")
      .option('--param <name=value>', 'a parameter of the fault (repeatable)', collect, [])
      .option('--run-id <id>', 'the shopsre.dev/run-id label and part of the names (default manual-DATE)')
      .option('--out <file>', 'write the YAML to this file instead of stdout'),
  )
    .addHelpText(
      'after',
      [
        '',
        'Vendor faults become NetworkChaos with externalTargets or DNSChaos (HTTPChaos cannot touch',
        'outbound HTTPS); db-failover a PodChaos pod-kill of the primary; CDN faults NetworkChaos.',
        'Approximations are named in the shopsre.dev/approximation annotation.',
        '',
        'Examples:',
        '  shopsre chaos manifest vendor-outage --namespace shop --for 2m',
        '  shopsre chaos manifest db-failover --namespace shop --database-flavor cloudnativepg | kubectl apply -f -',
      ].join('\n'),
    )
    .action(
      (
        fault: string,
        opts: { for?: string; param: string[]; runId?: string; out?: string } & KubernetesCliFlags,
      ) => {
        select(async (ctx) => {
          const { runChaosManifest } = await import('./commands/chaos-manifest.js');
          return runChaosManifest({ ...opts, fault, kubernetes: kubernetesFlags(opts) }, ctx);
        });
      },
    );

  chaos
    .command('proxy')
    .description(
      "run the fault proxies on their own, as toxiproxy-server does: Toxiproxy's API plus HTTP faults",
    )
    .option(
      '--config <file>',
      "links file: shopsre's FaultProxyLinks (YAML or JSON) or Toxiproxy's -config JSON",
    )
    .option(
      '--link <link>',
      'a link [http:]NAME=LISTEN=UPSTREAM (repeatable; tcp unless http: or an http:// upstream)',
      collect,
      [],
    )
    .option(
      '--host <host>',
      'address of the control API; a non-loopback one also lets links listen off loopback',
      '127.0.0.1',
    )
    .option('--port <port>', 'port of the control API (0: any free port)', '8474')
    .option(
      '--max-toxic-ttl <duration>',
      'longest life of a toxic, and the life of one added without a TTL',
      '10m',
    )
    .option('--json', 'print the addresses as one JSON line (for scripts)')
    .addHelpText(
      'after',
      [
        '',
        "Toxiproxy's clients (toxiproxy-cli, toxiproxy-node-client, chaostoolkit-toxiproxy, Testcontainers) work",
        'unchanged against the control API. Every toxic ends by itself: one added without ttlMs lives',
        '--max-toxic-ttl. SIGINT/SIGTERM remove every toxic and close every listener.',
        'Exit codes: 0 stopped by SIGINT/SIGTERM, 2 bad flags or links file, 3 a port is in use.',
        '',
        'Examples:',
        '  shopsre chaos proxy --link database=127.0.0.1:15432=127.0.0.1:5432',
        '  shopsre chaos proxy --link http:vendor=127.0.0.1:18080=http://127.0.0.1:8080 --port 0 --json',
        '  shopsre chaos proxy --config toxiproxy.json --max-toxic-ttl 30m',
        '  curl -s localhost:8474/proxies/database/toxics -d \'{"type":"latency","attributes":{"latency":500}}\'',
      ].join('\n'),
    )
    .action(
      (opts: {
        config?: string;
        link: string[];
        host: string;
        port: string;
        maxToxicTtl: string;
        json?: boolean;
      }) => {
        select(async (ctx) => {
          const { runChaosProxy } = await import('./commands/chaos-proxy.js');
          return runChaosProxy({ ...opts, json: Boolean(opts.json) }, ctx);
        });
      },
    );

  stateOption(
    chaos
      .command('status')
      .description('the faults active now: their age, the time left, and whether their run is alive')
      .option('--proxy-url <url>', 'also list toxics the proxies hold that the state file does not know')
      .option('--json', 'print [{ fault, target, startedAt, expiresAt, ... }]'),
  ).action((opts: { state?: string; proxyUrl?: string; json?: boolean }) => {
    select(async (ctx) => {
      const { runChaosStatus } = await import('./commands/chaos-status.js');
      return runChaosStatus({ ...opts, json: Boolean(opts.json) }, ctx);
    });
  });

  stateOption(
    chaos
      .command('revert')
      .description('revert the faults of runs that were killed; --all reverts every recorded fault')
      .option('--all', 'also faults of runs still alive')
      .option(
        '--kubernetes',
        'also delete every Chaos Mesh object labelled app.kubernetes.io/managed-by=shopsre',
      )
      .option('--namespace <ns>', 'with --kubernetes: only in this namespace (default: every namespace)')
      .option('--kubeconfig <file>', 'with --kubernetes: kubeconfig instead of KUBECONFIG or ~/.kube/config')
      .option('--json', 'print what was reverted as JSON'),
  )
    .addHelpText(
      'after',
      [
        '',
        'A killed run on Kubernetes may leave objects the state file here does not know (another machine,',
        'a lost file): --kubernetes finds them by label.',
        'Exit codes: 0 nothing left, 3 a revert failed (the fault stays recorded).',
      ].join('\n'),
    )
    .action(
      (opts: {
        state?: string;
        all?: boolean;
        kubernetes?: boolean;
        namespace?: string;
        kubeconfig?: string;
        json?: boolean;
      }) => {
        select(async (ctx) => {
          const { runChaosRevert, labelledLeftovers } = await import('./commands/chaos-revert.js');
          return runChaosRevert(
            { ...opts, all: Boolean(opts.all), json: Boolean(opts.json) },
            ctx,
            opts.kubernetes
              ? { kubernetesLeftovers: () => labelledLeftovers(opts.namespace, opts.kubeconfig, ctx) }
              : {},
          );
        });
      },
    );

  const gameday = program
    .command('gameday')
    .description('game days: load, faults and SLOs in one run, and the postmortem it leaves behind');

  gameday
    .command('run')
    .description('run a game day end to end against the embedded store and write its postmortem')
    .argument('<scenario>', 'a ready scenario by name (shopsre gameday list) or a scenario file')
    .option(
      '--out <dir>',
      'where the journal, postmortem and charts go (default gamedays/<UTC time>-<scenario>/)',
    )
    .option('--json', 'print the verdict and the journal path as one JSON line')
    .option('--junit <file>', 'also write the JUnit XML here (one test case per expectation and check)')
    .option('--seed <n>', "override the scenario's seed")
    .option('--time-scale <n>', "override the scenario's time scale (60: the 1 h alert window runs as 1 min)")
    .option('--no-prometheus', 'do not start a real Prometheus even when it is installed')
    .option('--with-prometheus', 'require a real Prometheus (exit 3 when the binary is missing)')
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
          prometheus: boolean;
          withPrometheus?: boolean;
          state?: string;
          keepDatabase?: boolean;
        },
      ) => {
        select(async (ctx) => {
          const { runGameDayCommand } = await import('./commands/gameday-run.js');
          return runGameDayCommand(
            {
              scenario,
              json: Boolean(opts.json),
              prometheus: opts.prometheus,
              withPrometheus: Boolean(opts.withPrometheus),
              ...(opts.out === undefined ? {} : { out: opts.out }),
              ...(opts.junit === undefined ? {} : { junit: opts.junit }),
              ...(opts.seed === undefined ? {} : { seed: opts.seed }),
              ...(opts.timeScale === undefined ? {} : { timeScale: opts.timeScale }),
              ...(opts.state === undefined ? {} : { state: opts.state }),
              ...(opts.keepDatabase ? { keepDatabase: true } : {}),
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
        const { runGameDayList } = await import('./commands/gameday-misc.js');
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
        const { runGameDayValidate } = await import('./commands/gameday-misc.js');
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
        const { runGameDayInit } = await import('./commands/gameday-misc.js');
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
        const { runGameDayReport } = await import('./commands/gameday-misc.js');
        return runGameDayReport(journal, opts.out === undefined ? {} : { out: opts.out }, ctx);
      });
    });

  return program;
}

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
