import { Option, type Command } from 'commander';
import { collect } from './options.js';
import type { RegisterGroup } from './types.js';

/** `chaos list | inject | manifest | status | revert | proxy`: flags in, a lazily imported handler chosen. */
export const registerChaosCommands: RegisterGroup = (program, select) => {
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
        const { runChaosList } = await import('../commands/chaos-list.js');
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
          const { runChaosInject } = await import('../commands/chaos-inject.js');
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
          const { runChaosManifest } = await import('../commands/chaos-manifest.js');
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
          const { runChaosProxy } = await import('../commands/chaos-proxy.js');
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
      const { runChaosStatus } = await import('../commands/chaos-status.js');
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
          const { runChaosRevert, labelledLeftovers } = await import('../commands/chaos-revert.js');
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
};
