// A load worker serving the one-step GET journey of the engine tests, tagged with its worker's index
// as the segment so that a test can see each thread's share. A target ending in /fail fails to build.
import { serveLoadWorker } from '../../../src/loadgen/worker-serve.js';
import { getRunner } from '../engine/get-runner.js';

await serveLoadWorker((config, { workerIndex }) => {
  if (config.target.endsWith('/fail')) throw new Error(`cannot build a journey for ${config.target}`);
  const { runner, close } = getRunner(new URL(config.target).origin, { segment: `worker-${workerIndex}` });
  return Object.assign(runner, { close });
});
