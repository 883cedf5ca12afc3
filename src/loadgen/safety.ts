import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { EnvironmentError, UsageError } from '../core/errors.js';
import { normalizeHost } from '../core/loopback.js';

/** Resolves a host name to its addresses, as `dns.promises.lookup(host, { all: true })` does. */
export type LookupAll = (hostname: string) => Promise<readonly { readonly address: string }[]>;

/** The system resolver, every address of a name. */
export const lookupAll: LookupAll = (hostname) => lookup(hostname, { all: true });

/**
 * Load goes only to loopback unless the operator names the host (DESIGN.md, Safety). A name must
 * resolve to loopback addresses only: one public address among them and the load could land there.
 * A name is resolved here and again when connecting, so a DNS answer that changes in between is not
 * caught; `--allow-target` is the way to aim at anything that is not this machine.
 */
export async function checkTarget(
  target: string,
  allowed: readonly string[],
  lookup: LookupAll,
): Promise<void> {
  const url = new URL(target);
  const host = normalizeHost(url.hostname);
  const named = new Set(allowed.map(normalizeHost));
  if (named.has(host) || named.has(url.host.toLowerCase())) return;
  // RFC 6761: `localhost` and names under it are loopback by definition, whatever a resolver says.
  if (host === 'localhost' || host.endsWith('.localhost')) return;
  const addresses = isIP(host) !== 0 ? [host] : await resolve(host, lookup);
  const outside = addresses.filter((address) => !isLoopback(address));
  if (outside.length > 0) {
    const resolved = isIP(host) === 0 ? ` (resolves to ${outside.join(', ')})` : '';
    throw targetRefused(`${host}${resolved}`, 'only loopback targets are allowed by default', host);
  }
}

/**
 * `checkTarget` for each URL of one run, and the hosts the run may then reach: those named, and each
 * URL's host as written. Parts of a run that read a host name without resolving it (the fault
 * proxies' control client, Prometheus' scrape config: `isLoopbackOrNamed`) take this list, so a
 * name found here to resolve to loopback only is not refused there for want of `--allow-target`.
 */
export async function checkTargets(
  targets: readonly string[],
  allowed: readonly string[],
  lookup: LookupAll,
): Promise<string[]> {
  const cleared = [...allowed];
  for (const target of targets) {
    await checkTarget(target, allowed, lookup);
    const host = normalizeHost(new URL(target).hostname);
    if (!cleared.some((h) => normalizeHost(h) === host)) cleared.push(host);
  }
  return cleared;
}

/** The one refusal line of every load command, so `load run` and `load k6 --apply` say it alike. */
export function targetRefused(subject: string, rule: string, host: string): UsageError {
  return new UsageError(
    `refusing to send load to ${subject}: ${rule}; if this host is yours to load, add --allow-target ${host}`,
  );
}

async function resolve(host: string, lookup: LookupAll): Promise<string[]> {
  try {
    const answers = await lookup(host);
    if (answers.length === 0) throw new Error('no addresses');
    return answers.map((answer) => answer.address);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new EnvironmentError(`cannot resolve target host ${host} (${reason}): the target is unreachable`);
  }
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 forms such as ::ffff:7f00:1. */
function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
