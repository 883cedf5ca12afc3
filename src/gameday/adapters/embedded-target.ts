import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Clock } from '../../core/clock.js';
import type { RunningTarget } from '../runner/ports.js';
import { invariantOutcome } from './invariant-outcome.js';
import { version } from '../../version.js';

export interface EmbeddedTarget extends RunningTarget {
  /** Control API of the fault proxies on every link of the store. */
  readonly chaosUrl: string;
}

/**
 * The reference store with everything it talks to, started in this process for one game day: its
 * JSON logs go to a file of the game day's folder, every port is a free loopback one, and the
 * reconciler runs often enough that a run of minutes settles what it can before `verify`.
 */
export async function startEmbeddedTarget(options: {
  readonly seed: number;
  readonly products?: number;
  readonly logFile: string;
  /** Keep the embedded database in this folder after the run (to read the books afterwards). */
  readonly databaseDir?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
}): Promise<EmbeddedTarget> {
  const { startStoreStack } = await import('../../../reference-store/src/stack.js');
  const log = createWriteStream(options.logFile, { flags: 'a' });
  await once(log, 'open');
  let stack: Awaited<ReturnType<typeof startStoreStack>>;
  try {
    stack = await startStoreStack({
      port: 0,
      seed: options.seed,
      ...(options.products === undefined ? {} : { products: options.products }),
      faultProxyPort: 0,
      ...(options.databaseDir === undefined ? {} : { dataDir: options.databaseDir }),
      logSink: { write: (text: string) => log.write(text) },
      env: options.env,
      reconcileIntervalMs: 1000,
      reconcileGraceMs: 2000,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  } catch (error) {
    log.end();
    throw error;
  }
  const { store, addresses } = stack;
  return {
    kind: 'embedded',
    storeUrl: addresses.store,
    metricsUrl: addresses.metrics,
    storeVersion: `reference store ${version}`,
    chaosUrl: addresses.faultProxies ?? '',
    async verify() {
      // Settle what can be settled first (the reconciler never fails a payment still processing).
      await store.reconcile({ graceMs: 0 });
      return invariantOutcome(await store.verify());
    },
    ledger: (fromMs, toMs) => store.ledger(fromMs, toMs),
    async stop() {
      try {
        await stack.stop();
      } finally {
        log.end();
        await once(log, 'close').catch(() => undefined);
      }
    },
  };
}
