import { EnvironmentError, ExitCode, UsageError } from '../core/errors.js';
import type { CommandContext } from './context.js';
import { numberFlag } from './number-flag.js';
import { abortOnStopSignal, type SignalSource } from './signals.js';
import type { FaultProxyServer } from '../chaos/local/proxy/index.js';
import { faultProxyInterposer } from '../chaos/local/store-links.js';

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
  const stop = abortOnStopSignal(deps.signals ?? process);
  const { createStore } = await import('../../reference-store/src/store.js');
  let proxies: FaultProxyServer | undefined;
  if (options.faultProxies) {
    const { startFaultProxyServer } = await import('../chaos/local/proxy/index.js');
    try {
      proxies = await startFaultProxyServer({ port: chaosPort });
    } catch (error) {
      stop.dispose();
      if ((error as { code?: unknown }).code === 'EADDRINUSE') {
        throw new EnvironmentError(
          `port ${chaosPort} (fault proxies) is in use: another store serve? Use --chaos-port 0 or --no-fault-proxies`,
        );
      }
      throw error;
    }
  }
  const started = performance.now();
  if (!options.databaseUrl) {
    ctx.logger.info('starting the embedded database (the first start for a seed builds it: about 10 s)');
  }
  let store: Awaited<ReturnType<typeof createStore>>;
  try {
    store = await createStore({
      port,
      host,
      databaseUrl: options.databaseUrl,
      replicaUrl: options.replicaUrl,
      seed,
      ...(products === undefined ? {} : { products }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(maxInFlight === undefined ? {} : { maxInFlight }),
      logSink: ctx.io.stderr,
      env: ctx.io.env,
      interpose: proxies ? faultProxyInterposer(proxies) : undefined,
    });
  } catch (error) {
    stop.dispose();
    await proxies?.close();
    throw startFailure(error, port, options.databaseUrl);
  }
  const { dependencies } = store;
  const addresses = {
    store: store.url,
    metrics: `${store.url}/metrics`,
    database: redactPassword(dependencies.databaseUrl),
    databaseKind: options.databaseUrl ? 'postgresql' : 'embedded PGlite',
    replica: dependencies.replicaUrl ? redactPassword(dependencies.replicaUrl) : null,
    vendors: dependencies.vendors.map((v) => ({ name: v.name, url: v.url })),
    cdnEdge: dependencies.cdnUrl,
    cdnOrigin: dependencies.cdnOriginUrl ?? null,
    faultProxies: proxies?.url ?? null,
    seed,
    startedInMs: Math.round(performance.now() - started),
  };
  if (options.json) {
    ctx.io.stdout.write(`${JSON.stringify(addresses)}\n`);
  } else {
    const lines = [
      `store     ${addresses.store}   (metrics ${addresses.metrics})`,
      `database  ${addresses.database}   (${addresses.databaseKind}, seed ${seed})`,
      ...(addresses.replica ? [`replica   ${addresses.replica}`] : []),
      ...addresses.vendors.map((v) => `vendor    ${v.name.padEnd(8)} ${v.url}`),
      `cdn       edge ${addresses.cdnEdge}${addresses.cdnOrigin ? `   origin ${addresses.cdnOrigin}` : ''}`,
      ...(proxies
        ? [
            `faults    ${proxies.url}   (fault proxies on ${proxies
              .proxies()
              .map((p) => p.name)
              .join(', ')}; shopsre chaos inject)`,
          ]
        : []),
      `ready in ${addresses.startedInMs} ms; Ctrl-C to stop`,
    ];
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
  }
  deps.onReady?.(store.url);
  await new Promise<void>((resolve) => {
    if (stop.signal.aborted) resolve();
    else stop.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  ctx.logger.info('stopping: draining requests in flight');
  await store.stop();
  await proxies?.close();
  ctx.logger.info('stopped');
  return ExitCode.ok;
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

function startFailure(error: unknown, port: number, databaseUrl: string | undefined): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EADDRINUSE') {
    return new EnvironmentError(`port ${port} is in use: stop what holds it, or pick another with --port`);
  }
  if (
    databaseUrl &&
    (code === 'ECONNREFUSED' || /connect|password|database .* does not exist/i.test(message))
  ) {
    return new EnvironmentError(`cannot use the database at ${redactPassword(databaseUrl)}: ${message}`);
  }
  return new EnvironmentError(`the store could not start: ${message}`);
}
