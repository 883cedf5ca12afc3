import type { FaultSpec } from './catalogue.js';

/** Where a fault is carried out. */
export type DriverTarget = 'local' | 'kubernetes';

/**
 * What a driver needs to take a fault back, decided *before* anything is injected and written to the
 * state file first: a process killed mid-injection still leaves a record that names what to revert.
 * Plain JSON.
 */
export type FaultHandle =
  | {
      readonly kind: 'local';
      readonly controlUrl: string;
      readonly toxics: readonly { readonly proxy: string; readonly toxic: string }[];
    }
  | {
      readonly kind: 'kubernetes';
      readonly kubeconfig?: string;
      readonly objects: readonly {
        readonly kind: string;
        readonly namespace: string;
        readonly name: string;
      }[];
    };

export interface InjectionReport {
  /** When the driver saw the fault take effect (epoch ms). */
  readonly verifiedAt: number;
  /** How it was verified, one line, e.g. "probe through vendor-primary answered 503". */
  readonly verification: string;
}

/** One fault, two drivers: each carries a catalogue fault out its own way. */
export interface ChaosDriver {
  readonly target: DriverTarget;
  /** Names what `inject` will create; sends nothing. */
  plan(spec: FaultSpec, faultId: string): FaultHandle;
  /** Injects, then verifies the fault took effect; throws when it did not (after undoing it). */
  inject(spec: FaultSpec, handle: FaultHandle, signal: AbortSignal): Promise<InjectionReport>;
  /** Takes the fault back; idempotent, and what is already gone counts as reverted. */
  revert(handle: FaultHandle): Promise<void>;
}

const notInjected = new WeakSet<object>();

/** Marks an injection error as one where nothing reached the target, so the run forgets the fault. */
export function markNotInjected<E extends object>(error: E): E {
  notInjected.add(error);
  return error;
}

export function wasNotInjected(error: unknown): boolean {
  return typeof error === 'object' && error !== null && notInjected.has(error);
}
