import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { systemClock } from '../core/clock.js';
import { runRecorded } from './engine/recorded-run.js';
import { systemMonotonicClock } from './engine/system-clock.js';
import type { FromWorker, JourneyFactory, ToWorker, WorkerSetup } from './worker-messages.js';

/**
 * The body of a load worker thread: build the journey, say ready, start at the shared instant, run
 * this worker's share of the executor and post the results. Every worker stamps the same start, so
 * the per-second series of the workers line up when the main thread merges them.
 */
export async function serveLoadWorker(createJourney: JourneyFactory): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveLoadWorker runs inside a worker thread');
  const setup = workerData as WorkerSetup;
  const post = (message: FromWorker): void => port.postMessage(message);
  const stop = new AbortController();
  try {
    const runner = await createJourney(setup.journey, {
      workerIndex: setup.workerIndex,
      workerCount: setup.workerCount,
    });
    try {
      const start = nextStart(port, stop);
      post({ type: 'ready' });
      const atEpochMs = await start;
      await systemMonotonicClock.sleep(atEpochMs - systemClock.now(), stop.signal);
      const results = await runRecorded({
        executor: setup.executor,
        runner,
        latencyBucketsMs: setup.latencyBucketsMs,
        ...(setup.seriesSteps ? { seriesSteps: setup.seriesSteps } : {}),
        run: {
          id: setup.runId,
          target: setup.journey.target,
          seed: setup.journey.seed,
          startedAtEpochMs: atEpochMs,
        },
        clock: systemMonotonicClock,
        signal: stop.signal,
        partition: { index: setup.workerIndex, count: setup.workerCount },
        gracefulStopMs: setup.gracefulStopMs,
        maxWaitMs: setup.maxWaitMs,
        tickMs: setup.tickMs,
        onProgress: (progress) => post({ type: 'progress', progress }),
      });
      post({ type: 'results', results });
    } finally {
      await runner.close();
    }
  } catch (error) {
    post({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  } finally {
    port.close();
  }
}

/**
 * The start instant. A later stop aborts the run; a stop that comes first aborts it before it starts,
 * now (an empty run, so the main thread still gets results from every worker).
 */
function nextStart(port: MessagePort, stop: AbortController): Promise<number> {
  return new Promise((resolve) => {
    port.on('message', (message: ToWorker) => {
      if (message.type === 'start') {
        resolve(message.atEpochMs);
      } else {
        stop.abort();
        resolve(systemClock.now());
      }
    });
  });
}
