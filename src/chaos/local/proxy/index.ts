export {
  startFaultProxyServer,
  type FaultProxyServer,
  type FaultProxyServerOptions,
} from './fault-proxy-server.js';
export { isLoopback } from './address.js';
export { FaultProxyError } from './errors.js';
export type { PopulateResult, ProxySnapshot } from './proxy-registry.js';
export type { ProxyInput, ProxyPatchInput } from './proxy-schema.js';
export type { ProxyKind, ToxicInput, ToxicPatchInput, ToxicStream } from './schema.js';
export type { ToxicSnapshot } from './toxic-set.js';
