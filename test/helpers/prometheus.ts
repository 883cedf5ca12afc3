import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { findExecutable } from '../../src/core/executables.js';
import { startUntilReady } from './ready-process.js';

/** Where the Debian `prometheus` package put its binaries, or why they cannot be used. */
export type PrometheusAvailability =
  | { readonly available: true; readonly prometheus: string; readonly promtool: string }
  | { readonly available: false; readonly reason: string };

export function prometheusAvailability(): PrometheusAvailability {
  const prometheus = findExecutable('prometheus');
  const promtool = findExecutable('promtool');
  if (prometheus && promtool) return { available: true, prometheus, promtool };
  const missing = [prometheus ? undefined : 'prometheus', promtool ? undefined : 'promtool'].filter(Boolean);
  return {
    available: false,
    reason: `${missing.join(' and ')} not found: install the Debian "prometheus" package (scripts/install-system-deps.sh)`,
  };
}

/** `promtool ARGS` in `cwd` (stdin from `input`), with everything it printed: for expect messages. */
export function runPromtool(
  args: readonly string[],
  options: { readonly cwd?: string; readonly input?: string } = {},
): { status: number | null; output: string } {
  const result = spawnSync(findExecutable('promtool') ?? 'promtool', args, {
    ...options,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface RunningPrometheus {
  readonly url: string;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on a free loopback port with `configFile` and `dataDir`, and waits until it is
 * ready. `stop` sends SIGTERM (SIGKILL after 10 s) and waits for the exit.
 */
export async function startPrometheus(options: {
  readonly binary: string;
  readonly configFile: string;
  readonly dataDir: string;
  readonly extraArgs?: readonly string[];
}): Promise<RunningPrometheus> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const running = await startUntilReady(
    'prometheus',
    options.binary,
    [
      `--storage.tsdb.path=${options.dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--config.file=${options.configFile}`,
      ...(options.extraArgs ?? []),
    ],
    `${url}/-/ready`,
  );
  return { url, ...running };
}
