import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../src/chaos/catalogue.js';
import type { ChaosDriver, FaultHandle } from '../../src/chaos/driver.js';
import { resolveFaultSpec } from '../../src/chaos/fault-spec.js';
import { revertLeftovers, runFault } from '../../src/chaos/run-fault.js';
import { readState, updateState } from '../../src/chaos/state-file.js';

/** A driver that keeps its faults in memory, and can be told to fail. */
function fakeDriver(options: { failInject?: boolean } = {}) {
  const active = new Set<string>();
  const log: string[] = [];
  const driver: ChaosDriver = {
    target: 'local',
    plan: (_spec: FaultSpec, id: string): FaultHandle => ({
      kind: 'local',
      controlUrl: 'http://127.0.0.1:1',
      toxics: [{ proxy: 'vendor-primary', toxic: id }],
    }),
    inject(_spec, handle) {
      if (handle.kind !== 'local') throw new Error('local only');
      for (const t of handle.toxics) active.add(t.toxic);
      log.push('inject');
      if (options.failInject) return Promise.reject(new Error('the probe saw nothing'));
      return Promise.resolve({ verifiedAt: Date.now(), verification: 'fake' });
    },
    revert(handle) {
      if (handle.kind === 'local') for (const t of handle.toxics) active.delete(t.toxic);
      log.push('revert');
      return Promise.resolve();
    },
  };
  return { driver, active, log };
}

describe('a fault run always reverts what it injected', () => {
  let dir: string;
  let statePath: string;
  const spec = resolveFaultSpec('vendor-outage', [], '30s');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shopsre-chaos-'));
    statePath = join(dir, '.shopsre', 'state.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records the fault before injecting, holds it for its duration, reverts and forgets it', async () => {
    const { driver, active, log } = fakeDriver();
    const seen: number[] = [];
    const run = await runFault({
      spec,
      driver,
      statePath,
      runId: 'run-1',
      signal: new AbortController().signal,
      sleep: async (ms) => {
        seen.push(ms);
        expect(active.size).toBe(1);
        const state = await readState(statePath);
        expect(state.faults).toMatchObject([{ fault: 'vendor-outage', status: 'active', pid: process.pid }]);
      },
    });
    expect(run.end).toBe('completed');
    expect(seen[0]).toBeGreaterThan(29_000);
    expect(log).toEqual(['inject', 'revert']);
    expect(active.size).toBe(0);
    expect((await readState(statePath)).faults).toEqual([]);
  });

  it('reverts at once when the signal aborts the hold (SIGINT, SIGTERM, a stop condition)', async () => {
    const { driver, active } = fakeDriver();
    const controller = new AbortController();
    const run = await runFault({
      spec,
      driver,
      statePath,
      runId: 'run-2',
      signal: controller.signal,
      events: { injected: () => controller.abort() },
    });
    expect(run.end).toBe('interrupted');
    expect(active.size).toBe(0);
    expect((await readState(statePath)).faults).toEqual([]);
  });

  it('reverts and forgets the fault when injecting fails, and passes the error on', async () => {
    const { driver, active, log } = fakeDriver({ failInject: true });
    await expect(
      runFault({ spec, driver, statePath, runId: 'run-3', signal: new AbortController().signal }),
    ).rejects.toThrow('the probe saw nothing');
    expect(log).toEqual(['inject', 'revert']);
    expect(active.size).toBe(0);
    expect((await readState(statePath)).faults).toEqual([]);
  });

  it('reverts the leftovers of a run whose process is gone before injecting its own', async () => {
    const { driver, active, log } = fakeDriver();
    active.add('dead-run-vendor-outage');
    const deadPid = 2 ** 22 + 12_345; // above the kernel's pid_max: no such process
    await updateState(statePath, (state) => ({
      ...state,
      faults: [
        {
          id: 'dead-run-vendor-outage',
          runId: 'dead-run',
          pid: deadPid,
          fault: 'vendor-outage',
          target: 'local',
          params: {},
          durationMs: 30_000,
          status: 'active',
          startedAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 30_000).toISOString(),
          handle: driver.plan(spec, 'dead-run-vendor-outage'),
        },
      ],
    }));
    const reverted: string[] = [];
    await runFault({
      spec,
      driver,
      statePath,
      runId: 'run-4',
      signal: AbortSignal.abort(),
      events: { leftoverReverted: (f) => reverted.push(f.id) },
    });
    expect(reverted).toEqual(['dead-run-vendor-outage']);
    expect(log[0]).toBe('revert');
    expect(active.size).toBe(0);
  });

  it('leaves the faults of live runs alone unless asked to revert all', async () => {
    const { driver } = fakeDriver();
    await updateState(statePath, (state) => ({
      ...state,
      faults: [
        {
          id: 'live',
          runId: 'live-run',
          pid: process.ppid,
          fault: 'db-latency',
          target: 'local',
          params: {},
          durationMs: 30_000,
          status: 'active',
          startedAt: new Date().toISOString(),
          expiresAt: new Date().toISOString(),
          handle: driver.plan(spec, 'live'),
        },
      ],
    }));
    expect((await revertLeftovers({ statePath, all: false, driver })).reverted).toEqual([]);
    expect((await revertLeftovers({ statePath, all: true, driver })).reverted.map((f) => f.id)).toEqual([
      'live',
    ]);
    expect((await readState(statePath)).faults).toEqual([]);
  });

  it("keeps concurrent writers from losing each other's entries", async () => {
    const { driver } = fakeDriver();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        updateState(statePath, (state) => ({
          ...state,
          faults: [
            ...state.faults,
            {
              id: `f${i}`,
              runId: 'r',
              pid: process.pid,
              fault: 'db-latency' as const,
              target: 'local' as const,
              params: {},
              durationMs: 1,
              status: 'active' as const,
              startedAt: new Date().toISOString(),
              expiresAt: new Date().toISOString(),
              handle: driver.plan(spec, `f${i}`),
            },
          ],
        })),
      ),
    );
    expect((await readState(statePath)).faults).toHaveLength(20);
  });
});
