import type { DependencyLink, Interposer } from '../../../reference-store/src/dependencies.js';
import { parseHostPort } from './proxy/address.js';

/** The part of the fault proxy server the store wiring needs. */
export interface ProxyHost {
  addProxy(config: {
    readonly name: string;
    readonly kind: 'tcp' | 'http';
    readonly listen: string;
    readonly upstream: string;
  }): Promise<{ readonly listen: string }>;
}

/**
 * One fault proxy on each of the store's links, named after the link (`database`, `vendor-primary`,
 * `cdn-origin`...) as the catalogue's targets are: TCP for the databases, HTTP for the rest.
 */
export function faultProxyInterposer(host: ProxyHost): Interposer {
  return async (link: DependencyLink, upstream: string) => {
    const url = new URL(upstream);
    const tcp = link === 'database' || link === 'replica';
    const proxy = await host.addProxy({
      name: link,
      kind: tcp ? 'tcp' : 'http',
      listen: '127.0.0.1:0',
      upstream: tcp ? `${url.hostname}:${url.port}` : url.origin,
    });
    const endpoint = parseHostPort(proxy.listen);
    if (!endpoint) throw new Error(`fault proxy ${link} listens on ${proxy.listen}: not host:port`);
    url.hostname = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    url.port = String(endpoint.port);
    return url.toString().replace(/\/$/, '');
  };
}
