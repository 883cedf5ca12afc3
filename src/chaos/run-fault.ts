import { abortableSleep } from '../core/clock.js';
import type { FaultSpec } from './catalogue.js';
import {
  wasNotInjected,
  type ChaosDriver,
  type DriverTarget,
  type FaultHandle,
  type InjectionReport,
} from './driver.js';
import { processAlive, readState, updateState, type ActiveFault } from './state-file.js';

export interface FaultRunEvents {
  injected?(fault: ActiveFault, report: InjectionReport): void;
  reverted?(fault: ActiveFault, reason: FaultRunEnd): void;
  leftoverReverted?(fault: ActiveFault): void;
}

/** Why a fault ended: its duration passed, or the caller's signal (SIGINT, SIGTERM, a stop condition). */
export type FaultRunEnd = 'completed' | 'interrupted';

export interface FaultRunOptions {
  readonly spec: FaultSpec;
  readonly driver: ChaosDriver;
  readonly statePath: string;
  readonly runId: string;
  /** Names the fault in the state file; default `<runId>-<fault>` (a game day runs several of one kind). */
  readonly faultId?: string;
  /** Ends the hold early; the fault is reverted all the same. */
  readonly signal: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly events?: FaultRunEvents;
  /** Drivers for leftovers of killed runs, by target; the run's own driver serves its target. */
  readonly leftoverDrivers?: Partial<Record<DriverTarget, (handle: FaultHandle) => ChaosDriver>>;
  /** Hold the fault for its duration (default), or return once it is injected (a game day holds it). */
  readonly hold?: boolean;
}

export interface FaultRun {
  readonly fault: ActiveFault;
  readonly report: InjectionReport;
  readonly end: FaultRunEnd;
  readonly revertedAt: number;
}

/**
 * Injects one fault and always takes it back: on the end of its duration, on the signal, and on any
 * error in between. The state file names the fault before it is injected and forgets it only after
 * it is reverted, so a SIGKILL in between leaves a record that the next run reverts.
 */
export async function runFault(options: FaultRunOptions): Promise<FaultRun> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  await revertLeftovers({ ...options, all: false });
  const faultId = options.faultId ?? `${options.runId}-${options.spec.fault}`;
  const handle = options.driver.plan(options.spec, faultId);
  const startedAt = now();
  const entry: ActiveFault = {
    id: faultId,
    runId: options.runId,
    pid: process.pid,
    fault: options.spec.fault,
    target: options.driver.target,
    params: { ...options.spec.params },
    durationMs: options.spec.durationMs,
    status: 'injecting',
    startedAt: new Date(startedAt).toISOString(),
    expiresAt: new Date(startedAt + options.spec.durationMs).toISOString(),
    handle,
  };
  await updateState(options.statePath, (state) => ({ ...state, faults: [...state.faults, entry] }));
  let active = entry;
  let end: FaultRunEnd = 'completed';
  try {
    const report = await options.driver.inject(options.spec, handle, options.signal);
    active = { ...entry, status: 'active', verifiedAt: new Date(report.verifiedAt).toISOString() };
    const updated = active;
    await updateState(options.statePath, (state) => ({
      ...state,
      faults: state.faults.map((f) => (f.id === faultId ? updated : f)),
    }));
    options.events?.injected?.(active, report);
    if (options.hold === false) {
      return { fault: active, report, end, revertedAt: Number.NaN };
    }
    const remaining = startedAt + options.spec.durationMs - now();
    await sleep(Math.max(0, remaining), options.signal);
    if (options.signal.aborted) end = 'interrupted';
    return { fault: active, report, end, revertedAt: await revert(options, active) };
  } catch (error) {
    if (wasNotInjected(error)) {
      // Nothing reached the target (it was unreachable): there is nothing to revert or remember.
      await forget(options.statePath, faultId);
      throw error;
    }
    await revert(options, active).catch(() => undefined);
    if (options.signal.aborted) {
      // Stopped (SIGINT, SIGTERM) while injecting: reverted, which is what the stop asked for.
      end = 'interrupted';
      const report = { verifiedAt: Number.NaN, verification: 'stopped before the fault was verified' };
      return { fault: active, report, end, revertedAt: now() };
    }
    throw error;
  } finally {
    if (options.hold !== false) options.events?.reverted?.(active, end);
  }
}

async function forget(statePath: string, faultId: string): Promise<void> {
  await updateState(statePath, (state) => ({
    ...state,
    faults: state.faults.filter((f) => f.id !== faultId),
  }));
}

/** Takes back a fault that `runFault` left injected with `hold: false` (the game day's way). */
export async function endFault(
  options: Pick<FaultRunOptions, 'driver' | 'statePath' | 'now'>,
  fault: ActiveFault,
): Promise<number> {
  return revert(options, fault);
}

async function revert(
  options: Pick<FaultRunOptions, 'driver' | 'statePath' | 'now'>,
  fault: ActiveFault,
): Promise<number> {
  await options.driver.revert(fault.handle);
  await forget(options.statePath, fault.id);
  return (options.now ?? Date.now)();
}

export interface LeftoverOptions {
  readonly statePath: string;
  /** Also revert faults of runs that are still alive (`chaos revert --all`). */
  readonly all: boolean;
  readonly driver?: ChaosDriver;
  readonly leftoverDrivers?: FaultRunOptions['leftoverDrivers'];
  readonly events?: FaultRunEvents;
  /** Wall time for the leftovers' expiry; default Date.now. */
  readonly now?: () => number;
}

/**
 * Reverts what runs that are gone left behind (or, with `all`, every recorded fault). A fault whose
 * revert fails stays in the file, to be tried again.
 */
export async function revertLeftovers(
  options: LeftoverOptions,
): Promise<{ reverted: ActiveFault[]; failed: { fault: ActiveFault; error: string }[] }> {
  const state = await readState(options.statePath);
  const stale = state.faults.filter((f) => options.all || (f.pid !== process.pid && !processAlive(f.pid)));
  const reverted: ActiveFault[] = [];
  const failed: { fault: ActiveFault; error: string }[] = [];
  for (const fault of stale) {
    const driver =
      options.leftoverDrivers?.[fault.target]?.(fault.handle) ??
      (options.driver?.target === fault.target ? options.driver : undefined);
    if (!driver) {
      failed.push({ fault, error: `no ${fault.target} driver to revert it with` });
      continue;
    }
    try {
      await driver.revert(fault.handle);
      reverted.push(fault);
      options.events?.leftoverReverted?.(fault);
    } catch (error) {
      // Past its expiry the fault has ended where it lives (the proxy's TTL, Chaos Mesh's duration),
      // so a target that cannot be reached any more holds nothing to revert.
      if (Date.parse(fault.expiresAt) + expiryGraceMs < (options.now ?? Date.now)()) {
        reverted.push(fault);
        options.events?.leftoverReverted?.(fault);
      } else {
        failed.push({ fault, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  if (reverted.length > 0) {
    const gone = new Set(reverted.map((f) => f.id));
    await updateState(options.statePath, (current) => ({
      ...current,
      faults: current.faults.filter((f) => !gone.has(f.id)),
    }));
  }
  return { reverted, failed };
}

/** Longer than the TTL grace the drivers add past a fault's duration. */
const expiryGraceMs = 10_000;
