import { bufferWriter } from '../../../src/core/io.js';
import { startStoreDependencies, type StoreDependencies } from '../../../reference-store/src/dependencies.js';
import { startStore, type RunningStore, type StoreSettings } from '../../../reference-store/src/store.js';
import { startTcpSwitch, type TcpSwitch } from '../../helpers/tcp-switch.js';
import { testCacheDir, testCatalog } from '../support/test-store.js';

/** A store whose database (and, when asked, a "replica": the same database) sits behind switches a test cuts. */
export interface SwitchedStore {
  readonly store: RunningStore;
  readonly deps: StoreDependencies;
  readonly primary: TcpSwitch;
  readonly replica: TcpSwitch | undefined;
  /** Every response the store gave through `fetch`, in order. */
  readonly responses: { readonly path: string; readonly status: number }[];
  fetch(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  logs(): string;
  stop(): Promise<void>;
}

export async function startSwitchedStore(
  options: { replica?: boolean; settings?: StoreSettings } = {},
): Promise<SwitchedStore> {
  const deps = await startStoreDependencies({ ...testCatalog, cacheDir: testCacheDir });
  const target = new URL(deps.databaseUrl);
  const address = { host: target.hostname, port: Number(target.port) };
  const primary = await startTcpSwitch(address);
  const replica = options.replica ? await startTcpSwitch(address) : undefined;
  const logs = bufferWriter();
  const store = await startStore(
    {
      databaseUrl: primary.url(deps.databaseUrl),
      replicaUrl: replica?.url(deps.databaseUrl),
      vendors: deps.vendors,
      cdnUrl: deps.cdnUrl,
    },
    {
      reconcileIntervalMs: 0,
      drainMs: 0,
      logSink: logs,
      pool: { max: 4, connectTimeoutMs: 500, queryTimeoutMs: 1000 },
      ...options.settings,
    },
  );
  const responses: { path: string; status: number }[] = [];
  return {
    store,
    deps,
    primary,
    replica,
    responses,
    async fetch(path, init = {}) {
      const { json, headers, ...rest } = init;
      const merged = new Headers(headers);
      if (json !== undefined) merged.set('content-type', 'application/json');
      const response = await fetch(`${store.url}${path}`, {
        ...rest,
        headers: merged,
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      responses.push({ path, status: response.status });
      return response;
    },
    logs: () => logs.text(),
    async stop() {
      await store.stop();
      await Promise.all([primary.close(), replica?.close()]);
      await deps.stop();
    },
  };
}

/** The sum of a metric's samples whose labels include every given one, from Prometheus text. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}
