import { spawn, type ChildProcess } from 'node:child_process';
import { cp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI, as a user runs it: `npm run build` makes it. */
let bin = join(repo, 'dist/shopsre.js');

/**
 * Runs the CLI from a copy of dist/ under `dir` (with node_modules linked for its externals), so a
 * rebuild elsewhere (`npm run build` empties dist/ first) cannot pull it away in the middle of a run.
 */
export async function snapshotCli(dir: string): Promise<void> {
  const copy = join(dir, 'cli');
  for (let attempt = 1; ; attempt++) {
    try {
      await stat(join(repo, 'dist/shopsre.js'));
      await cp(join(repo, 'dist'), join(copy, 'dist'), { recursive: true, force: true });
      break;
    } catch (error) {
      // Mid-rebuild: wait for the new dist/.
      if (attempt >= 60) throw new Error(`no usable dist/ (run npm run build): ${String(error)}`);
      await sleep(1000);
    }
  }
  await writeFile(join(copy, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
  bin = join(copy, 'dist/shopsre.js');
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1), so a failing run can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shopsre process the test started; `exited` settles once it is gone (and reaped). */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stderr has a line starting with `prefix`; rejects if the process ends first or in `timeoutMs`. */
  waitForLine(prefix: string, timeoutMs: number): Promise<void>;
  /** The exit, or a rejection naming the command after `timeoutMs` (the process is killed then). */
  exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every child still running; for afterEach and afterAll. */
export async function killLeftoverChildren(): Promise<void> {
  const running = [...live];
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export function spawnCli(args: readonly string[], cwd: string): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnedAt = performance.now();
  live.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    // 'close': the exit status and every byte of stdout and stderr.
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const command = `shopsre ${args.join(' ')}`;
  return {
    child,
    spawnedAt,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(prefix, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const has = (): boolean => err.split('\n').some((line) => line.startsWith(prefix));
        if (has()) return resolve();
        const timer = setTimeout(
          () => done(new Error(`${command}: no stderr line "${prefix}..." in ${timeoutMs} ms:\n${err}`)),
          timeoutMs,
        );
        const onData = (): void => {
          if (has()) done();
        };
        const onClose = (): void =>
          done(new Error(`${command} ended before printing "${prefix}...":\n${err}`));
        function done(error?: Error): void {
          clearTimeout(timer);
          child.stderr?.off('data', onData);
          child.off('close', onClose);
          if (error) reject(error);
          else resolve();
        }
        // Registered after the accumulating listener above, so `err` already holds the chunk.
        child.stderr?.on('data', onData);
        child.once('close', onClose);
      });
    },
    async exit(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${command} did not exit in ${timeoutMs} ms; stderr:\n${err}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a shopsre command to its end (bounded). */
export async function runCli(
  args: readonly string[],
  cwd: string,
  timeoutMs = 15_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args, cwd);
  const { code, signal } = await cli.exit(timeoutMs);
  return { code, signal, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** A state file entry, as much of it as these tests look at. */
export interface StateEntry {
  readonly id: string;
  readonly runId: string;
  readonly pid: number;
  readonly fault: string;
  readonly status: string;
  readonly handle: { readonly kind: string; readonly toxics?: readonly { proxy: string; toxic: string }[] };
}

/** The faults of a state file; `undefined` when the file does not exist. */
export async function readFaults(path: string): Promise<StateEntry[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = JSON.parse(text) as { version: number; faults: StateEntry[] };
  if (state.version !== 1) throw new Error(`${path}: state version ${state.version}`);
  return state.faults;
}

/** A tiny upstream: 200 for `GET /healthz` (the probe) and for anything else. */
export function startUpstream(): Promise<LoopbackServer> {
  return startLoopbackServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(request.url === '/healthz' ? 'healthy' : 'ok');
    });
  });
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer((socket: Socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
