import { resolve } from 'node:path';

/** Where `chaos` commands keep what they injected; `--state` moves it. */
export function statePathOf(state: string | undefined, cwd: string): string {
  return resolve(cwd, state ?? '.shopsre/state.json');
}

/** Toxiproxy's port, so a shopsre store's proxies sit where Toxiproxy users look for them. */
export const defaultProxyUrl = 'http://127.0.0.1:8474';
