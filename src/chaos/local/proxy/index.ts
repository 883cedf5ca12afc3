export {
  startFaultProxyServer,
  type FaultProxyServer,
  type FaultProxyServerOptions,
} from './fault-proxy-server.js';
export { FaultProxyError } from './errors.js';
export type { ProxySnapshot } from './proxy-registry.js';
export type { ProxyInput, ProxyKind, ProxyPatchInput, ToxicInput, ToxicStream } from './schema.js';
export type { ToxicSnapshot } from './toxic-set.js';
