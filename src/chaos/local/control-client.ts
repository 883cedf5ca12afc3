import { EnvironmentError } from '../../core/errors.js';
import { isLoopbackOrNamed } from '../../core/loopback.js';

/**
 * The fault proxies' control API (src/chaos/local/proxy/, modelled on Toxiproxy's), seen from the
 * driver. It may run in another process (`store serve` hosts it), so this is HTTP, loopback only.
 */
export interface ToxicRequest {
  readonly name: string;
  readonly type: string;
  readonly stream?: 'upstream' | 'downstream';
  readonly toxicity?: number;
  readonly ttlMs: number;
  readonly attributes: Readonly<Record<string, number | string>>;
  readonly firstN?: number;
}

export interface ProxyInfo {
  readonly name: string;
  readonly kind: 'tcp' | 'http';
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: readonly {
    readonly name: string;
    readonly type: string;
    readonly expiresAt: string;
    readonly hits?: number;
  }[];
}

export interface ControlClient {
  readonly url: string;
  proxies(): Promise<Record<string, ProxyInfo>>;
  addToxic(proxy: string, toxic: ToxicRequest): Promise<void>;
  /** False when it was already gone (expired, reset): reverted either way. */
  removeToxic(proxy: string, toxic: string): Promise<boolean>;
  setUpstream(proxy: string, upstream: string): Promise<void>;
}

export interface ControlClientOptions {
  /** Per-call bound; default 3000 ms. */
  readonly timeoutMs?: number;
  /**
   * Hosts beyond loopback the operator named (`gameday run --allow-target`, or the host a recorded
   * fault was injected through, to revert it): faults are sent nowhere else.
   */
  readonly allowHosts?: readonly string[];
}

export function controlClient(url: string, options: ControlClientOptions = {}): ControlClient {
  const timeoutMs = options.timeoutMs ?? 3000;
  const base = url.replace(/\/$/, '');
  const host = new URL(base).hostname;
  if (!isLoopbackOrNamed(host, options.allowHosts ?? [])) {
    throw new EnvironmentError(
      `fault proxy control API ${base}: only loopback is allowed unless the host is named with --allow-target`,
    );
  }
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (error) {
      throw new EnvironmentError(
        `cannot reach the fault proxies at ${base} (${(error as Error).message}): is \`shopsre store serve\` running? (--proxy-url)`,
      );
    }
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const failure = (what: string, status: number, json: unknown): EnvironmentError => {
    const message =
      typeof json === 'object' && json !== null && 'error' in json ? String(json.error) : `HTTP ${status}`;
    return new EnvironmentError(`fault proxies at ${base}: ${what}: ${message}`);
  };
  return {
    url: base,
    async proxies() {
      const { status, json } = await call('GET', '/proxies');
      if (status !== 200) throw failure('list proxies', status, json);
      return json as Record<string, ProxyInfo>;
    },
    async addToxic(proxy, toxic) {
      const { status, json } = await call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic);
      if (status !== 200 && status !== 201) throw failure(`add ${toxic.type} to ${proxy}`, status, json);
    },
    async removeToxic(proxy, toxic) {
      const { status, json } = await call(
        'DELETE',
        `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`,
      );
      if (status === 404) return false;
      if (status >= 300) throw failure(`remove ${toxic} from ${proxy}`, status, json);
      return true;
    },
    async setUpstream(proxy, upstream) {
      const { status, json } = await call('POST', `/proxies/${encodeURIComponent(proxy)}`, { upstream });
      if (status >= 300) throw failure(`point ${proxy} at ${upstream}`, status, json);
    },
  };
}
