import { isIP } from 'node:net';

/** Whether only this machine can reach a server bound to `host`: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1];
  const address = mapped ?? bare;
  if (isIP(address) === 4) return address.startsWith('127.');
  // The URL parser writes an IPv6 address in its shortest form: 0:0:0:0:0:0:0:1 becomes ::1.
  if (isIP(address) === 6) return new URL(`http://[${address}]/`).hostname === '[::1]';
  return false;
}

/** `[::1]` and `::1`, `Store` and `store` name the same host. */
export function normalizeHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * Loopback, or a host the operator named (`--allow-target`): where faults and scrapes may go, read
 * from the name as written (no DNS), as the fault proxies' control API and the scrape config need.
 */
export function isLoopbackOrNamed(host: string, named: readonly string[]): boolean {
  const bare = normalizeHost(host);
  return isLoopbackHost(host) || named.some((n) => normalizeHost(n) === bare);
}
