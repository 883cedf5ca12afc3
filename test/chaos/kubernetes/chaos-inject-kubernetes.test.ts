/**
 * `chaos inject --target kubernetes` end to end in-process, against the stub Chaos Mesh API on
 * 127.0.0.1 (see kubernetes-apply.test.ts for what the stub proves and does not): without --apply
 * nothing is sent; with --apply the objects are dry-run, created, waited on, held and deleted, on
 * the end of the duration and on SIGINT; the state file names them meanwhile and is empty after;
 * a leftover of a dead run is deleted by the next run and by `chaos revert`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runChaosInject } from '../../../src/commands/chaos-inject.js';
import { labelledLeftovers, runChaosRevert } from '../../../src/commands/chaos-revert.js';
import type { CommandContext } from '../../../src/commands/context.js';
import type { SignalSource } from '../../../src/commands/signals.js';
import { kubernetesDriver } from '../../../src/chaos/kubernetes/kubernetes-driver.js';
import { readState, updateState } from '../../../src/chaos/state-file.js';
import { systemClock } from '../../../src/core/clock.js';
import { ExitCode } from '../../../src/core/errors.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import { kubeconfigFor } from '../../loadgen/k6/stub-kube-api.js';
import { chaosApiBase, startStubChaosApi } from './stub-chaos-api.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-chaos-inject-k8s-'));
let api: Awaited<ReturnType<typeof startStubChaosApi>>;
let kubeconfig: string;
const statePath = join(workdir, 'state.json');

beforeAll(async () => {
  api = await startStubChaosApi();
  kubeconfig = join(workdir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api.url));
});
afterAll(async () => {
  await api.close();
  rmSync(workdir, { recursive: true, force: true });
});
beforeEach(() => {
  api.reset();
  rmSync(statePath, { force: true });
});

function context(): CommandContext & { out: () => string; err: () => string } {
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  return {
    io: { stdout, stderr, env: {}, cwd: workdir, isTTY: false },
    clock: systemClock,
    logger: createLogger({ sink: stderr, clock: systemClock }),
    out: () => stdout.text(),
    err: () => stderr.text(),
  };
}

function fakeSignals(): SignalSource & { send(): void } {
  const listeners = new Set<() => void>();
  return {
    on: (_name, listener) => listeners.add(listener),
    off: (_name, listener) => listeners.delete(listener),
    send: () => [...listeners].forEach((l) => l()),
  };
}

const flags = (apply: boolean) => ({
  namespace: 'shop',
  allowNamespace: [],
  storeSelector: [],
  vendorHost: [],
  kubeconfig,
  apply,
});
const inject = (apply: boolean, duration: string, signals: SignalSource = fakeSignals()) => {
  const ctx = context();
  const done = runChaosInject(
    {
      fault: 'db-latency',
      for: duration,
      param: [],
      target: 'kubernetes',
      state: statePath,
      json: true,
      kubernetes: flags(apply),
    },
    ctx,
    { signals },
  );
  return { ctx, done };
};
const networkChaos = `${chaosApiBase}/namespaces/shop/networkchaos`;

describe('chaos inject --target kubernetes', () => {
  it('without --apply prints the objects and sends nothing', async () => {
    const { ctx, done } = inject(false, '30s');
    expect(await done).toBe(ExitCode.ok);
    expect(ctx.out()).toContain('kind: NetworkChaos');
    expect(ctx.err()).toMatch(/dry run: 1 Chaos Mesh object\(s\) shown, nothing sent/);
    expect(api.calls()).toEqual([]);
  });

  it('with --apply dry-runs, creates, waits for AllInjected, holds for --for, then deletes', async () => {
    const { ctx, done } = inject(true, '1s');
    expect(await done).toBe(ExitCode.ok);
    const calls = api.calls().map((c) => c.replace(/\/shopsre-[^/?]+/, '/NAME'));
    expect(calls[0]).toBe(`POST ${networkChaos}?dryRun=All`);
    expect(calls[1]).toBe(`POST ${networkChaos}`);
    expect(calls).toContain(`GET ${networkChaos}/NAME`);
    expect(calls.at(-1)).toBe(`DELETE ${networkChaos}/NAME`);
    expect(api.storedKeys()).toEqual([]);
    expect(JSON.parse(ctx.out())).toMatchObject({
      fault: 'db-latency',
      target: 'kubernetes',
      end: 'completed',
    });
    expect((await readState(statePath)).faults).toEqual([]);
  });

  it('deletes the objects at once on SIGINT, and the state names them until then', async () => {
    api.injects({ afterReads: 1 });
    const signals = fakeSignals();
    const { ctx, done } = inject(true, '10m', signals);
    for (let i = 0; i < 100 && !ctx.err().includes('injected'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const during = await readState(statePath);
    expect(during.faults).toMatchObject([{ fault: 'db-latency', target: 'kubernetes', status: 'active' }]);
    expect(api.storedKeys()).toHaveLength(1);
    signals.send();
    expect(await done).toBe(ExitCode.ok);
    expect(JSON.parse(ctx.out())).toMatchObject({ end: 'interrupted' });
    expect(api.storedKeys()).toEqual([]);
    expect((await readState(statePath)).faults).toEqual([]);
  });

  it('chaos revert deletes what a killed run left on the cluster', async () => {
    // A run that died after creating its object: the object is on the cluster, the state names it.
    const { chaosManifests } = await import('../../../src/chaos/kubernetes/manifests.js');
    const { resolveFaultSpec } = await import('../../../src/chaos/fault-spec.js');
    const spec = resolveFaultSpec('db-latency', [], '5m');
    const [object] = chaosManifests(spec, { namespace: 'shop', runId: 'dead-run' });
    const driver = kubernetesDriver({
      faults: { namespace: 'shop' },
      runId: 'dead-run',
      kubeconfig,
      logger: createLogger({ sink: bufferWriter(), clock: systemClock }),
    });
    if (!object) throw new Error('db-latency makes one object');
    api.preload(object);
    expect(api.storedKeys()).toHaveLength(1);
    await updateState(statePath, (state) => ({
      ...state,
      faults: [
        {
          id: 'dead-run-db-latency',
          runId: 'dead-run',
          pid: 2 ** 22 + 4242,
          fault: 'db-latency',
          target: 'kubernetes',
          params: {},
          durationMs: 300_000,
          status: 'active',
          startedAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 300_000).toISOString(),
          handle: { ...driver.plan(spec, 'dead-run-db-latency'), kubeconfig },
        },
      ],
    }));
    const ctx = context();
    expect(await runChaosRevert({ state: statePath, all: false, json: true }, ctx)).toBe(ExitCode.ok);
    expect(JSON.parse(ctx.out())).toMatchObject({
      reverted: [{ fault: 'db-latency', target: 'kubernetes' }],
      failed: [],
    });
    expect(api.storedKeys()).toEqual([]);
    expect(JSON.parse(readFileSync(statePath, 'utf8'))).toEqual({ version: 1, faults: [] });
  });

  it('chaos revert --kubernetes deletes objects labelled by shopsre that no state file knows', async () => {
    const { chaosManifests } = await import('../../../src/chaos/kubernetes/manifests.js');
    const { resolveFaultSpec } = await import('../../../src/chaos/fault-spec.js');
    const [object] = chaosManifests(resolveFaultSpec('db-latency', [], '5m'), {
      namespace: 'shop',
      runId: 'lost-run',
    });
    if (!object) throw new Error('db-latency makes one object');
    api.preload(object);
    expect(api.storedKeys()).toHaveLength(1);
    const ctx = context();
    const code = await runChaosRevert({ state: statePath, all: false, json: true }, ctx, {
      kubernetesLeftovers: () => labelledLeftovers('shop', kubeconfig, ctx),
    });
    expect(code).toBe(ExitCode.ok);
    expect(JSON.parse(ctx.out())).toMatchObject({ reverted: [], kubernetesObjectsDeleted: 1 });
    expect(api.storedKeys()).toEqual([]);
    expect(api.calls()).toContain(
      `GET ${networkChaos}?labelSelector=${encodeURIComponent('app.kubernetes.io/managed-by=shopsre')}`,
    );
  });
});
