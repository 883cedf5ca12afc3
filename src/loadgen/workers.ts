import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { systemClock, type Clock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import type { RunProgress } from './engine/recorded-run.js';
import type { EngineTick } from './engine/types.js';
import { mergeResults } from './merge.js';
import type { LoadPlan } from './plan.js';
import type { LiveStats } from './recorder.js';
import type { LoadResults } from './results.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-messages.js';

export interface WorkerRunOptions {
  readonly workers: number;
  readonly runId: string;
  /** Aborting stops every worker; the results recorded so far are still merged and returned. */
  readonly signal: AbortSignal;
  readonly gracefulStopMs?: number;
  readonly maxWaitMs?: number;
  readonly tickMs?: number;
  /** Called once every worker has reported a tick, with their counts added up. */
  onProgress?(progress: RunProgress): void;
  /** Module the threads run; default `workerEntry()`. Tests pass one that serves a journey of their own. */
  readonly entry?: URL;
  /** Default: the system clock. */
  readonly wallClock?: Clock;
}

/**
 * Time between telling the workers to start and the start itself, so that the message reaches
 * every thread before the instant they all stamp as the run's start.
 */
const startLeadMs = 50;

/**
 * The module a worker thread runs. In the bundle it is dist/loadgen-worker.js, an entry of its own
 * next to shopsre.js, while this code may sit in a split chunk under dist/chunks/ (scripts/build.mjs).
 * From the sources (tests, tsx) it is worker-entry.ts.
 */
function workerEntry(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return viaTsx(new URL('./worker-entry.ts', here));
  return new URL(here.includes('/chunks/') ? '../loadgen-worker.js' : './loadgen-worker.js', here);
}

/**
 * A worker entry that loads a TypeScript module, for runs from the sources. Node 20 applies the
 * loader hooks of `--import tsx` to what a worker imports, but not to its entry module, so the entry
 * is a two-line module that registers tsx and then imports the real one.
 */
export function viaTsx(module: URL): URL {
  // tsx's CommonJS build of this API registers a path that does not exist; its ES module sits beside it.
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(
    /\.cjs$/,
    '.mjs',
  );
  const code = `const { register } = await import(${JSON.stringify(api)});\nregister();\nawait import(${JSON.stringify(module.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * Runs the plan on `workers` threads: each runs the engine on its share (interleaved arrivals, or
 * VU slots) from a shared start instant and posts its results, which are merged here exactly.
 */
export async function runOnWorkers(plan: LoadPlan, options: WorkerRunOptions): Promise<LoadResults> {
  const entry = options.entry ?? workerEntry();
  const wallClock = options.wallClock ?? systemClock;
  const count = options.workers;
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`--workers must be a whole number ≥ 1, got ${count}`);
  const executor = plan.executor;
  if ('maxInFlight' in executor && executor.maxInFlight < count) {
    throw new UsageError(
      `--workers ${count} needs at least ${count} iterations in flight (one per worker), the plan allows ${executor.maxInFlight}`,
    );
  }
  const threads = Array.from({ length: count }, (_, workerIndex) => {
    const setup: WorkerSetup = {
      executor: plan.executor,
      journey: plan.journey,
      latencyBucketsMs: plan.latencyBucketsMs,
      ...(plan.seriesSteps ? { seriesSteps: plan.seriesSteps } : {}),
      workerIndex,
      workerCount: count,
      runId: options.runId,
      gracefulStopMs: options.gracefulStopMs,
      maxWaitMs: options.maxWaitMs,
      tickMs: options.tickMs,
    };
    return new WorkerThread(new Worker(entry, { workerData: setup }));
  });
  const progress = progressMerger(count, (merged) => options.onProgress?.(merged));
  threads.forEach((thread, index) => thread.onProgress((p) => progress(index, p)));
  const stopAll = (): void => threads.forEach((thread) => thread.send({ type: 'stop' }));
  options.signal.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(threads.map((thread) => thread.ready));
    const atEpochMs = wallClock.now() + startLeadMs;
    threads.forEach((thread) =>
      thread.send(options.signal.aborted ? { type: 'stop' } : { type: 'start', atEpochMs }),
    );
    const results = await Promise.all(threads.map((thread) => thread.results));
    const [first, ...rest] = results;
    if (!first) throw new Error('a run needs at least one worker');
    return mergeResults(first, ...rest);
  } catch (error) {
    stopAll();
    throw error;
  } finally {
    options.signal.removeEventListener('abort', stopAll);
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}

/** One worker thread and the promises of its protocol. */
class WorkerThread {
  readonly ready: Promise<void>;
  readonly results: Promise<LoadResults>;
  private progressListener: (progress: RunProgress) => void = () => undefined;

  constructor(private readonly worker: Worker) {
    let markReady: () => void = () => undefined;
    let fail: (error: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    this.results = new Promise((resolve, reject) => {
      const failBoth = (error: Error): void => {
        fail(error);
        reject(error);
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') markReady();
        else if (message.type === 'progress') this.progressListener(message.progress);
        else if (message.type === 'results') resolve(message.results);
        else failBoth(new Error(`load worker failed: ${message.message}`));
      });
      worker.on('error', failBoth);
      worker.on('exit', (code) =>
        failBoth(new Error(`load worker exited (code ${code}) before its results`)),
      );
    });
    // Whichever of the two the caller is not awaiting yet must not count as unhandled.
    this.ready.catch(() => undefined);
    this.results.catch(() => undefined);
  }

  onProgress(listener: (progress: RunProgress) => void): void {
    this.progressListener = listener;
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Adds up the workers' reports of the same tick, once all of them have sent it. */
function progressMerger(
  count: number,
  emit: (progress: RunProgress) => void,
): (worker: number, progress: RunProgress) => void {
  const latest: (RunProgress | undefined)[] = Array.from({ length: count }, () => undefined);
  const ticks = new Array<number>(count).fill(0);
  let emitted = 0;
  return (worker, progress) => {
    latest[worker] = progress;
    ticks[worker] = (ticks[worker] ?? 0) + 1;
    if (Math.min(...ticks) <= emitted) return;
    emitted++;
    const reports = latest.filter((p): p is RunProgress => p !== undefined);
    emit({ engine: addTicks(reports.map((p) => p.engine)), live: addLive(reports.map((p) => p.live)) });
  };
}

function addTicks(ticks: readonly EngineTick[]): EngineTick {
  return {
    elapsedMs: Math.max(...ticks.map((t) => t.elapsedMs)),
    durationMs: Math.max(...ticks.map((t) => t.durationMs)),
    iterations: ticks.reduce((sum, t) => sum + t.iterations, 0),
    inFlight: ticks.reduce((sum, t) => sum + t.inFlight, 0),
    dropped: ticks.reduce((sum, t) => sum + t.dropped, 0),
  };
}

/** Counts add up; a segment's p95 is the largest of the workers' (an upper bound, as in merge). */
function addLive(lives: readonly LiveStats[]): LiveStats {
  const bySegment: Record<string, { requests: number; errors: number; p95Ms: number }> = {};
  for (const live of lives) {
    for (const [segment, stats] of Object.entries(live.bySegment)) {
      const sum = (bySegment[segment] ??= { requests: 0, errors: 0, p95Ms: 0 });
      sum.requests += stats.requests;
      sum.errors += stats.errors;
      sum.p95Ms = Math.max(sum.p95Ms, stats.p95Ms);
    }
  }
  return {
    requests: lives.reduce((sum, l) => sum + l.requests, 0),
    errors: lives.reduce((sum, l) => sum + l.errors, 0),
    dropped: lives.reduce((sum, l) => sum + l.dropped, 0),
    bySegment,
  };
}
