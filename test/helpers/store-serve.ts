import type { ChildProcess } from 'node:child_process';

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
