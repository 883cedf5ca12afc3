import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface LoopbackServer {
  readonly origin: string;
  close(): Promise<void>;
}

export interface ServerBehaviour {
  /** Every answer leaves this long after its request arrived (to about 0.1 ms). */
  readonly delayMs: number;
  /**
   * Once, the first request arriving `afterMs` after the server started freezes it for `forMs`:
   * whatever arrives meanwhile is answered when the stall ends, as behind a stop-the-world pause.
   */
  readonly stall?: { readonly afterMs: number; readonly forMs: number };
}

/** A node:http server on 127.0.0.1, on its own thread, with exact latencies: the engine's ground truth. */
export async function startLoopbackServer(behaviour: ServerBehaviour): Promise<LoopbackServer> {
  const worker = new Worker(new URL('./loopback-server-thread.mjs', import.meta.url), {
    workerData: behaviour,
  });
  const [port] = (await once(worker, 'message')) as [number];
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      worker.postMessage('close');
      await once(worker, 'exit');
    },
  };
}
