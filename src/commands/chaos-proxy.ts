import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatDuration, parseDuration } from '../core/duration.js';
import { EnvironmentError, ExitCode, UsageError } from '../core/errors.js';
import type { CommandContext } from './context.js';
import { numberFlag } from './number-flag.js';
import { abortOnStopSignal, type SignalSource } from './signals.js';
import type { ProxyLink } from '../chaos/local/proxy/links-file.js';
import type { FaultProxyServer, ProxySnapshot } from '../chaos/local/proxy/index.js';

export interface ChaosProxyOptions {
  /** A links file: shopsre's FaultProxyLinks document or Toxiproxy's `-config` JSON. */
  readonly config?: string;
  /** `[http:]NAME=LISTEN=UPSTREAM`, repeatable. */
  readonly link: readonly string[];
  /** The control API's address; a non-loopback one exposes the proxies too. Default 127.0.0.1. */
  readonly host?: string;
  readonly port?: string;
  readonly maxToxicTtl?: string;
  readonly json: boolean;
}

export interface ChaosProxyDeps {
  /** Default: the process; SIGINT and SIGTERM stop the proxies. */
  readonly signals?: SignalSource;
  /** Called once everything listens, with the control API's URL. */
  readonly onReady?: (url: string) => void;
}

const day = 24 * 3_600_000;

/**
 * `chaos proxy`: the fault proxies on their own, as toxiproxy-server runs: the links of a file and
 * of `--link` flags, and the control API, until SIGINT or SIGTERM (every toxic removed, every
 * listener closed). Addresses go to stdout. Exit 0 stopped, 2 bad flags or file, 3 a port in use.
 */
export async function runChaosProxy(
  options: ChaosProxyOptions,
  ctx: CommandContext,
  deps: ChaosProxyDeps = {},
): Promise<ExitCode> {
  const port = numberFlag('--port', options.port ?? '8474', { integer: true, min: 0, max: 65_535 });
  const maxToxicTtlMs = ttlFlag(options.maxToxicTtl ?? '10m');
  const host = options.host ?? '127.0.0.1';
  const { isLoopback, startFaultProxyServer, FaultProxyError } =
    await import('../chaos/local/proxy/index.js');
  // The explicit --host is the one way out of loopback, as `store serve --host`.
  const policy = { allowNonLoopback: !isLoopback(host) };
  const links = await readLinks(options, policy, ctx.io.cwd);
  if (policy.allowNonLoopback) {
    ctx.logger.warn(`--host ${host}: the control API and the proxies may be reached from other machines`);
  }

  const stop = abortOnStopSignal(deps.signals ?? process);
  let server: FaultProxyServer;
  try {
    server = await startFaultProxyServer({ host, port, maxToxicTtlMs, ...policy });
  } catch (error) {
    stop.dispose();
    if (error instanceof FaultProxyError) {
      throw new EnvironmentError(
        `control API: ${error.message}: stop what holds it, or pick another --port (0: any)`,
      );
    }
    throw error;
  }
  const populated = await server.populate(links);
  if (populated.error) {
    stop.dispose();
    await server.close();
    throw new EnvironmentError(`link ${populated.error.message}`);
  }

  printReady(server.url, maxToxicTtlMs, populated.proxies, options.json, ctx);
  deps.onReady?.(server.url);
  await new Promise<void>((resolveStop) => {
    if (stop.signal.aborted) resolveStop();
    else stop.signal.addEventListener('abort', () => resolveStop(), { once: true });
  });
  ctx.logger.info('stopping: removing every toxic and closing every listener');
  await server.close();
  ctx.logger.info('stopped');
  return ExitCode.ok;
}

function ttlFlag(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`--max-toxic-ttl "${text}": expected a duration such as 10m or 1h`);
  if (ms < 1000 || ms > day) throw new UsageError(`--max-toxic-ttl "${text}": expected 1s to 24h`);
  return ms;
}

async function readLinks(
  options: ChaosProxyOptions,
  policy: { readonly allowNonLoopback: boolean },
  cwd: string,
): Promise<ProxyLink[]> {
  const { parseLinkFlag, parseLinksFile } = await import('../chaos/local/proxy/links-file.js');
  const links: ProxyLink[] = [];
  if (options.config !== undefined) {
    let text: string;
    try {
      text = await readFile(resolve(cwd, options.config), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --config ${options.config}: ${(error as Error).message}`);
    }
    links.push(...parseLinksFile(options.config, text, policy));
  }
  for (const flag of options.link) links.push(parseLinkFlag(flag, policy));
  const names = links.map((link) => link.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`link "${twice}" is given twice`);
  return links;
}

function printReady(
  url: string,
  maxToxicTtlMs: number,
  proxies: readonly ProxySnapshot[],
  json: boolean,
  ctx: CommandContext,
): void {
  const links = proxies.map(({ name, kind, listen, upstream, enabled }) => ({
    name,
    kind,
    listen,
    upstream,
    enabled,
  }));
  if (json) {
    ctx.io.stdout.write(`${JSON.stringify({ control: url, maxToxicTtlMs, links })}\n`);
    return;
  }
  const width = Math.max(4, ...links.map((link) => link.name.length));
  const lines = [
    `control   ${url}   (Toxiproxy's API; toxics live at most ${formatDuration(maxToxicTtlMs)})`,
    ...links.map(
      (link) =>
        `link      ${link.name.padEnd(width)}  ${link.kind.padEnd(4)}  ${link.listen} -> ${link.upstream}${link.enabled ? '' : '   (disabled)'}`,
    ),
    `ready with ${links.length} link${links.length === 1 ? '' : 's'}; Ctrl-C to stop`,
  ];
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
}
