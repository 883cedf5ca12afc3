import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../../core/errors.js';
import { findExecutable } from '../../core/executables.js';
import { prometheusConfig } from './prometheus-config.js';
import { activeTargets, type Fetch } from './prometheus-api.js';

/**
 * A real Prometheus (Debian's `prometheus` package) as a child process for one game day: its
 * config and TSDB live in `dataDir`, it listens on a free loopback port, and `stop()` always ends
 * it. A Prometheus that fails to start is stopped before the error is thrown, and one still
 * running when Node exits is killed then, so a game day never leaves one behind.
 *
 * It counts as started once it is ready AND lists its scrape target, not at `/-/ready` alone:
 * Prometheus' discovery manager hands targets to the scrape manager on a 5 s ticker, so the first
 * scrape comes 5 to 6 s after `/-/ready` (then within one scrape interval of the target being
 * listed). The game day starts its built-in evaluator right after this returns, and its first
 * scrape is one tick later; both must see the store from about the same moment, or the long,
 * time-scaled windows (longer than the run) hold more events in one than in the other, and an alert
 * gated by the minimum-events guard fires seconds later in the one that started later.
 */
export interface StartPrometheusOptions {
  /** Holds `prometheus.yml` and the TSDB (`data/`); created when missing. */
  readonly dataDir: string;
  /** The store's metrics, on loopback unless its host is in `allowHosts`. */
  readonly metricsUrl: string;
  /** Hosts beyond loopback the operator named (`--allow-target`). */
  readonly allowHosts?: readonly string[];
  /** Absolute paths of the rule files to load. */
  readonly ruleFiles: readonly string[];
  /** Default 1 s. */
  readonly scrapeIntervalMs?: number;
  /** Default 1 s. */
  readonly evaluationIntervalMs?: number;
  /** Default: `prometheus` on the PATH, else /usr/bin/prometheus. */
  readonly binary?: string;
  /** How long to wait for `/-/ready` and the scrape target to be listed; default 30 s. */
  readonly readyTimeoutMs?: number;
  /** Default: the global fetch. */
  readonly fetch?: Fetch;
}

export interface RunningPrometheus {
  /** Base URL of its HTTP API, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** The last lines it wrote to stderr, for error messages. */
  logs(): string;
}

const installHint = 'install the Debian "prometheus" package (scripts/install-system-deps.sh)';
/** A port found free can be taken before Prometheus binds it; a few tries settle that race. */
const portAttempts = 3;
const logLimit = 64 * 1024;

export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? findPrometheus();
  if (!binary) throw new EnvironmentError(`prometheus not found on the PATH or in /usr/bin: ${installHint}`);
  await mkdir(join(options.dataDir, 'data'), { recursive: true });
  const configFile = join(options.dataDir, 'prometheus.yml');
  await writeFile(
    configFile,
    prometheusConfig({
      metricsUrl: options.metricsUrl,
      scrapeIntervalMs: options.scrapeIntervalMs ?? 1000,
      evaluationIntervalMs: options.evaluationIntervalMs ?? 1000,
      ruleFiles: options.ruleFiles,
      ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}),
    }),
  );
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < portAttempts; attempt++) {
    const port = await freeLoopbackPort();
    const outcome = await startOnce(binary, configFile, options, port);
    if (outcome.ok) return outcome.running;
    lastError = outcome.error;
    if (!outcome.portTaken) break;
  }
  throw lastError ?? new EnvironmentError('prometheus did not start');
}

function findPrometheus(): string | undefined {
  return findExecutable('prometheus');
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
  } catch (error) {
    throw new EnvironmentError(`no free loopback port: ${(error as Error).message}`);
  }
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new EnvironmentError('no free loopback port');
  return address.port;
}

type StartOutcome =
  | { readonly ok: true; readonly running: RunningPrometheus }
  | { readonly ok: false; readonly error: EnvironmentError; readonly portTaken: boolean };

async function startOnce(
  binary: string,
  configFile: string,
  options: StartPrometheusOptions,
  port: number,
): Promise<StartOutcome> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let logs = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    logs = (logs + chunk.toString()).slice(-logLimit);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopChild(child, exited).finally(() => process.removeListener('exit', killOnExit));
    return stopping;
  };

  const fail = async (what: string, portTaken = false): Promise<StartOutcome> => {
    await stop();
    return {
      ok: false,
      portTaken,
      error: new EnvironmentError(`prometheus (${binary}) ${what}${logs ? `:\n${tail(logs)}` : ''}`),
    };
  };

  const fetchImpl: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) {
      const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      return fail(
        missing ? `could not be run (not found): ${installHint}` : `could not be run: ${spawnError.message}`,
      );
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const portTaken = /address already in use/i.test(logs);
      return fail(`exited with ${child.exitCode ?? child.signalCode} before it was ready`, portTaken);
    }
    const ready = await fetchImpl(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    const listed = ready && (await scrapeTargetListed(fetchImpl, url));
    if (listed && child.pid !== undefined) {
      const pid = child.pid;
      return { ok: true, running: { url, pid, stop, logs: () => logs } };
    }
    if (Date.now() > deadline) {
      return fail(
        ready
          ? `was ready but listed no scrape target at ${url}/api/v1/targets within the timeout`
          : `was not ready at ${url}/-/ready within the timeout`,
      );
    }
    // Polling a real process start-up: there is no event to wait for.
    await sleep(100);
  }
}

/**
 * Whether Prometheus lists an active scrape target yet: from then its first scrape is at most one
 * scrape interval away (the loop's offset within the interval), whatever the target's health.
 */
async function scrapeTargetListed(fetchImpl: Fetch, url: string): Promise<boolean> {
  return activeTargets({ url, fetch: fetchImpl, timeoutMs: 2_000 }).then(
    (targets) => targets.length > 0,
    () => false,
  );
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-10).join('\n');
}
