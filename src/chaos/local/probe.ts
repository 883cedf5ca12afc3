import { connect } from 'node:net';
import { request } from 'node:http';
import { parseHostPort } from './proxy/address.js';

/** What one probe through a proxy saw. */
export type ProbeResult =
  | { readonly kind: 'answered'; readonly status?: number; readonly ms: number }
  | { readonly kind: 'closed'; readonly ms: number }
  | { readonly kind: 'silent'; readonly ms: number };

/** GET `path` through an HTTP proxy's listen address; `silent` when nothing comes back in time. */
export function probeHttp(listen: string, path: string, timeoutMs: number): Promise<ProbeResult> {
  const [host, port] = splitAddress(listen);
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  return new Promise((resolve) => {
    const req = request(
      { host, port, path, method: 'GET', agent: false, headers: { 'x-shopsre-probe': '1' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0, ms: elapsed() }));
        res.on('error', () => resolve({ kind: 'closed', ms: elapsed() }));
      },
    );
    req.setTimeout(timeoutMs, () => {
      resolve({ kind: 'silent', ms: elapsed() });
      req.destroy();
    });
    req.on('error', () => resolve({ kind: 'closed', ms: elapsed() }));
    req.end();
  });
}

/**
 * A PostgreSQL SSLRequest through a TCP proxy: any PostgreSQL (and pglite-socket) answers it with one
 * byte before authentication, so it measures the round trip without speaking the protocol further.
 */
export function probePostgres(listen: string, timeoutMs: number): Promise<ProbeResult> {
  const [host, port] = splitAddress(listen);
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const settle = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => settle({ kind: 'silent', ms: elapsed() }), timeoutMs);
    socket.on('connect', () => {
      const sslRequest = Buffer.alloc(8);
      sslRequest.writeInt32BE(8, 0);
      sslRequest.writeInt32BE(80877103, 4);
      socket.write(sslRequest);
    });
    socket.once('data', () => settle({ kind: 'answered', ms: elapsed() }));
    socket.on('close', () => settle({ kind: 'closed', ms: elapsed() }));
    socket.on('error', () => settle({ kind: 'closed', ms: elapsed() }));
  });
}

function splitAddress(listen: string): [string, number] {
  const endpoint = parseHostPort(listen);
  if (!endpoint) throw new Error(`a proxy listens on ${listen}: not host:port`);
  return [endpoint.host, endpoint.port];
}
