import { isIP, type AddressInfo, type Server } from 'node:net';
import { FaultProxyError } from './errors.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** `host:port` or `[v6]:port`; undefined when it is neither or the port is out of range. */
export function parseHostPort(text: string): Endpoint | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const host = match[1] ?? match[2];
  const port = Number(match[3]);
  if (host === undefined || port > 65_535) return undefined;
  if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port };
}

export function formatEndpoint({ host, port }: Endpoint): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Faults stay on this machine (DESIGN.md, Safety): proxies and the control API bind loopback only. */
export { isLoopbackHost as isLoopback } from '../../../core/loopback.js';

/** Listens and answers the bound address; a port in use or forbidden is a 409 naming it. */
export async function listenOn(server: Server, endpoint: Endpoint): Promise<Endpoint> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const why =
        error.code === 'EADDRINUSE' ? 'is in use' : `cannot be bound (${error.code ?? error.message})`;
      reject(new FaultProxyError(409, `listen address ${formatEndpoint(endpoint)} ${why}`));
    };
    server.once('error', onError);
    server.listen(endpoint.port, endpoint.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return { host: address, port };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}
