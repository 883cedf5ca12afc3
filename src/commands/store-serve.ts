import { adminTokenOption, adminTokenVariable } from '../../reference-store/src/http/admin-access.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { CommandContext } from './context.js';
import { numberFlag } from './number-flag.js';
import { abortOnStopSignal, type SignalSource } from './signals.js';

export interface StoreServeOptions {
  readonly port?: string;
  readonly host?: string;
  readonly databaseUrl?: string;
  readonly replicaUrl?: string;
  readonly seed?: string;
  readonly products?: string;
  readonly dataDir?: string;
  readonly maxInFlight?: string;
  /** Fault proxies on every link of the store (default on), their control API on this port. */
  readonly faultProxies: boolean;
  readonly chaosPort?: string;
  /** What `/admin/*` requires (else SHOPSRE_ADMIN_TOKEN; made up beyond loopback when neither). */
  readonly adminToken?: string;
  readonly json: boolean;
}

export interface StoreServeDeps {
  /** Default: the process; SIGINT and SIGTERM stop the store. */
  readonly signals?: SignalSource;
  /** Called once everything listens (tests use it to reach the store, then send a signal). */
  readonly onReady?: (url: string) => void;
}

/**
 * `store serve`: the store, its vendors, CDN edge and origin, and (unless a URL is given) the
 * embedded database, until SIGINT or SIGTERM. Addresses go to stdout; the store's JSON logs to stderr.
 */
export async function runStoreServe(
  options: StoreServeOptions,
  ctx: CommandContext,
  deps: StoreServeDeps = {},
): Promise<ExitCode> {
  const port = numberFlag('--port', options.port ?? '8080', { integer: true, min: 0, max: 65_535 });
  const seed = numberFlag('--seed', options.seed ?? '1', { integer: true, min: 0, max: 2 ** 31 });
  const products = numberFlag('--products', options.products, { integer: true, min: 1, max: 100_000 });
  const maxInFlight = numberFlag('--max-in-flight', options.maxInFlight, {
    integer: true,
    min: 1,
    max: 100_000,
  });
  const host = options.host ?? '127.0.0.1';
  for (const [flag, url] of [
    ['--database-url', options.databaseUrl],
    ['--replica-url', options.replicaUrl],
  ] as const) {
    if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
      throw new UsageError(`${flag} must be a postgres:// URL, got "${url}"`);
    }
  }
  const chaosPort = numberFlag('--chaos-port', options.chaosPort ?? '8474', {
    integer: true,
    min: 0,
    max: 65_535,
  });
  const adminToken = adminTokenOption(options.adminToken, ctx.io.env);
  const stop = abortOnStopSignal(deps.signals ?? process);
  const { startStoreStack } = await import('../../reference-store/src/stack.js');
  const started = performance.now();
  if (!options.databaseUrl) {
    ctx.logger.info('starting the embedded database (the first start for a seed builds it: about 10 s)');
  }
  let stack: Awaited<ReturnType<typeof startStoreStack>>;
  try {
    stack = await startStoreStack({
      port,
      host,
      ...(adminToken === undefined ? {} : { adminToken }),
      seed,
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      ...(options.replicaUrl === undefined ? {} : { replicaUrl: options.replicaUrl }),
      ...(products === undefined ? {} : { products }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(maxInFlight === undefined ? {} : { maxInFlight }),
      ...(options.faultProxies ? { faultProxyPort: chaosPort } : {}),
      logSink: ctx.io.stderr,
      env: ctx.io.env,
    });
  } catch (error) {
    stop.dispose();
    throw error;
  }
  const addresses = { ...stack.addresses, startedInMs: Math.round(performance.now() - started) };
  // A token made up for this run is shown once, here on stdout, and never logged.
  const madeUp = stack.store.adminToken?.generated ? stack.store.adminToken.value : undefined;
  if (options.json) {
    ctx.io.stdout.write(`${JSON.stringify(madeUp ? { ...addresses, adminToken: madeUp } : addresses)}\n`);
  } else {
    const lines = [
      `store     ${addresses.store}   (metrics ${addresses.metrics})`,
      `database  ${addresses.database}   (${addresses.databaseKind}, seed ${seed})`,
      ...(addresses.replica ? [`replica   ${addresses.replica}`] : []),
      ...addresses.vendors.map((v) => `vendor    ${v.name.padEnd(8)} ${v.url}`),
      `cdn       edge ${addresses.cdnEdge}${addresses.cdnOrigin ? `   origin ${addresses.cdnOrigin}` : ''}`,
      ...(addresses.faultProxies
        ? [
            `faults    ${addresses.faultProxies}   (fault proxies on ${addresses.proxiedLinks.join(', ')}; shopsre chaos inject)`,
          ]
        : []),
      ...(madeUp
        ? [
            `admin     token ${madeUp}   (made up for this run: /admin/* needs it as a bearer token; store verify reads ${adminTokenVariable})`,
          ]
        : []),
      `ready in ${addresses.startedInMs} ms; Ctrl-C to stop`,
    ];
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
  }
  deps.onReady?.(addresses.store);
  await new Promise<void>((resolve) => {
    if (stop.signal.aborted) resolve();
    else stop.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  ctx.logger.info('stopping: draining requests in flight');
  await stack.stop();
  ctx.logger.info('stopped');
  return ExitCode.ok;
}
