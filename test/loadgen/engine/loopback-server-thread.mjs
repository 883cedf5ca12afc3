// The loopback server of the real-time tests, on a thread of its own so that its timers do not queue
// behind the load generator's work (and the other way round). Plain JavaScript: workers load it as is.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';

const { delayMs, stall } = workerData;
const startedAt = performance.now();
let stallEndsAt;

/** A timer to within a millisecond of `at`, then event-loop turns: answers leave to about 0.1 ms. */
async function sleepUntil(at) {
  const coarse = at - performance.now() - 1;
  if (coarse > 0) await new Promise((resolve) => setTimeout(resolve, coarse));
  while (performance.now() < at) await nextTurn();
}

const server = createServer((request, response) => {
  const arrivedAt = performance.now();
  if (stall && stallEndsAt === undefined && arrivedAt - startedAt >= stall.afterMs) {
    stallEndsAt = arrivedAt + stall.forMs;
  }
  request.resume();
  void sleepUntil(Math.max(arrivedAt + delayMs, stallEndsAt ?? 0)).then(() => response.end('ok'));
});

server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => {
  server.closeAllConnections();
  server.close(() => parentPort.close());
});
