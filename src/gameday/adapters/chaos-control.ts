import { systemClock, type Clock } from '../../core/clock.js';
import { markNotInjected, type ChaosDriver } from '../../chaos/driver.js';
import { EnvironmentError } from '../../core/errors.js';
import { leftoverDrivers } from '../../chaos/leftover-drivers.js';
import { localDriver } from '../../chaos/local/local-driver.js';
import { endFault, revertLeftovers, runFault } from '../../chaos/run-fault.js';
import { readState, type ActiveFault } from '../../chaos/state-file.js';
import type { Logger } from '../../core/logger.js';
import type { FaultControl } from '../runner/ports.js';

export interface LocalFaultControlOptions {
  /**
   * Control API of the fault proxies in front of the store's dependencies; undefined for a
   * load-only game day on a target of your own (the scenario loader refuses faults without one).
   */
  readonly controlUrl: string | undefined;
  /** Hosts beyond loopback the control API may be on (`--allow-target`). */
  readonly allowHosts?: readonly string[];
  /** The chaos state file (`.shopsre/state.json`): what `chaos status` and `chaos revert` read. */
  readonly statePath: string;
  readonly runId: string;
  readonly logger: Logger;
  /** A driver other than the local fault proxies' (tests). */
  readonly driver?: ChaosDriver;
  /** Stamps injections, verifications, reverts and leftover expiry; default the system clock. */
  readonly clock?: Clock;
}

/**
 * The chaos engine as the game day drives it: each fault injected through `runFault` without a
 * hold (the runner decides when it ends), recorded in the same state file as `chaos inject`, so a
 * killed game day's faults are found and reverted by the next game day or `chaos revert`.
 */
export function localFaultControl(options: LocalFaultControlOptions): FaultControl {
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const driver =
    options.driver ??
    (options.controlUrl === undefined
      ? withoutProxies
      : localDriver({ controlUrl: options.controlUrl, clock, allowHosts: options.allowHosts ?? [] }));
  const drivers = leftoverDrivers(options.logger);
  const injected = new Map<string, ActiveFault>();
  return {
    async revertLeftovers() {
      const { reverted, failed } = await revertLeftovers({
        statePath: options.statePath,
        all: false,
        driver,
        leftoverDrivers: drivers,
        now,
      });
      for (const { fault, error } of failed) {
        options.logger.warn(`could not revert the leftover ${fault.fault} of run ${fault.runId}: ${error}`);
      }
      return reverted.map((f) => `${f.id} (${f.fault}, run ${f.runId}, pid ${f.pid} gone)`);
    },
    async inject(planned, id, signal) {
      const run = await runFault({
        spec: planned.spec,
        driver,
        statePath: options.statePath,
        runId: options.runId,
        faultId: id,
        signal,
        hold: false,
        leftoverDrivers: drivers,
        now,
      });
      if (run.end === 'interrupted') {
        // Stopped while injecting: runFault took it back already; nothing was verified.
        throw new FaultStoppedError(run.report.verification);
      }
      injected.set(id, run.fault);
      return { verifiedAtMs: run.report.verifiedAt, verification: run.report.verification };
    },
    async revert(id) {
      const fault = injected.get(id);
      if (!fault) return;
      await endFault({ driver, statePath: options.statePath, now }, fault);
      injected.delete(id);
    },
    async stillActive() {
      const state = await readState(options.statePath);
      return state.faults.filter((f) => f.runId === options.runId).map((f) => f.id);
    },
  };
}

/** No fault proxies to drive: every injection is refused before anything is sent. */
const withoutProxies: ChaosDriver = {
  target: 'local',
  plan: () => ({ kind: 'local', controlUrl: '', toxics: [] }),
  inject: () =>
    Promise.reject(markNotInjected(new EnvironmentError('no fault proxies: the target names no chaosUrl'))),
  revert: () => Promise.resolve(),
};

/** A fault whose injection the stop signal cut short: already reverted, never verified. */
export class FaultStoppedError extends Error {
  override readonly name = 'FaultStoppedError';
}
