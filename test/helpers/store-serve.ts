import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCacheDir } from '../reference-store/support/test-store.js';
import { builtBinary as bin } from './built-binary.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The addresses `store serve --json` prints on one line once everything listens. */
export interface StoreServeAddresses {
  store: string;
  metrics: string;
  database: string;
  vendors: { name: string; url: string }[];
  cdnEdge: string;
  cdnOrigin: string | null;
  faultProxies: string | null;
  proxiedLinks: string[];
}

/** Resolves with the JSON line `store serve --json` prints once everything listens. */
export function readyLine(child: ChildProcess, timeoutMs: number): Promise<StoreServeAddresses> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`no JSON line within ${timeoutMs} ms`), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout
        .split('\n')
        .slice(0, -1)
        .find((l) => l.startsWith('{'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as StoreServeAddresses);
    });
    child.once('exit', (code) => fail(`store serve exited with ${code} before it was ready`));
  });
}

/** A running `store serve` of the built binary, and a kill that is safe to call when it has exited. */
export interface ServedStore {
  readonly child: ChildProcess;
  readonly addresses: StoreServeAddresses;
  kill(): void;
}

/**
 * `shopsre store serve --port 0 --chaos-port 0 --json [args]` in its own process, resolved once its
 * addresses are printed (the first run on a machine builds the embedded database's template, hence
 * the long wait). The CLI's template is kept between runs like the tests' own.
 */
export async function startStoreServe(
  options: { readonly args?: readonly string[]; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<ServedStore> {
  const child = spawn(
    process.execPath,
    [bin, 'store', 'serve', '--port', '0', '--chaos-port', '0', ...(options.args ?? []), '--json'],
    { cwd: root, env: { ...process.env, XDG_CACHE_HOME: join(testCacheDir, 'xdg'), ...options.env } },
  );
  const addresses = await readyLine(child, 60_000);
  return {
    child,
    addresses,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
