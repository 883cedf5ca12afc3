// Entry of a load worker thread (bundled as dist/loadgen-worker.js; see workers.ts).
import { createJourney } from './journey/index.js';
import { serveLoadWorker } from './worker-serve.js';

await serveLoadWorker(createJourney);
