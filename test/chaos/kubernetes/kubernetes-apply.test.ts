/**
 * What this proves: the driver speaks the Kubernetes API as @kubernetes/client-node sends it, over a
 * real socket on 127.0.0.1, with a kubeconfig file: the request order (a server-side dry run of
 * every object with `?dryRun=All`, then the creates, then reads of each object's status until it says
 * Selected and AllInjected, then a DELETE on revert), the bodies (the objects `chaos manifest` prints),
 * the credentials, the label selector of `findLeftovers`, that a refusal (409, 403, 404, no server)
 * is one line naming the object and the server (exit 3), that whatever was created before a failure,
 * a timeout or an abort is deleted again, and that the dry-run wrapper sends no write at all.
 *
 * What it does not prove: that a real API server or Chaos Mesh accepts the objects (the CRD schemas
 * are checked in fault-mapping.test.ts; admission webhooks and RBAC are not checked anywhere here),
 * nor that any fault takes effect. The stub has no Chaos Mesh controller and no chaos daemon: its
 * status conditions are scripted, no pod is selected, no packet is delayed, no pod is killed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  findLeftovers,
  injectOnKubernetes,
  revertOnKubernetes,
  type ChaosCluster,
  type WaitClock,
} from '../../../src/chaos/kubernetes/apply.js';
import { dryRunCluster } from '../../../src/chaos/kubernetes/dry-run-cluster.js';
import { kubernetesChaosCluster } from '../../../src/chaos/kubernetes/kubernetes-cluster.js';
import { chaosManifests, renderChaosManifests } from '../../../src/chaos/kubernetes/manifests.js';
import { fixedClock } from '../../../src/core/clock.js';
import { EnvironmentError, ExitCode } from '../../../src/core/errors.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import { kubeconfigFor } from '../../loadgen/k6/stub-kube-api.js';
import { faultSpec, shopOptions } from './fixtures.js';
import { chaosApiBase, startStubChaosApi, status } from './stub-chaos-api.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-chaos-k8s-'));
let api: Awaited<ReturnType<typeof startStubChaosApi>>;
let kubeconfig: string;

beforeAll(async () => {
  api = await startStubChaosApi();
  kubeconfig = join(workdir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api.url));
});
afterAll(async () => {
  await api.close();
  rmSync(workdir, { recursive: true, force: true });
});
beforeEach(() => api.reset());

const networkChaos = `${chaosApiBase}/namespaces/shop/networkchaos`;
const podChaos = `${chaosApiBase}/namespaces/shop/podchaos`;
const latency = chaosManifests(faultSpec('vendor-latency'), shopOptions);
const failover = chaosManifests(faultSpec('db-failover'), shopOptions);
const latencyName = 'shopsre-vendor-latency-gd-20250101-100000';
const failoverName = 'shopsre-db-failover-gd-20250101-100000';

/** Time that moves only when the driver sleeps: the polls run at once, and the timeout is exact. */
function fakeClock(onSleep?: () => void): WaitClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep(ms) {
      slept.push(ms);
      now += ms;
      onSleep?.();
      return Promise.resolve();
    },
  };
}

async function cluster(file = kubeconfig) {
  const stderr = bufferWriter();
  const logger = createLogger({ sink: stderr, clock: fixedClock(0) });
  return { cluster: await kubernetesChaosCluster({ kubeconfig: file, logger }), stderr, logger };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('injecting and reverting through a stub Kubernetes API server on loopback', () => {
  it('dry-runs every object first, then creates them, then reads their status until Chaos Mesh reports them injected', async () => {
    api.injects({ afterReads: 3 });
    const { cluster: real, stderr } = await cluster();
    const clock = fakeClock();
    const handles = await injectOnKubernetes([...latency, ...failover], real, { clock, pollMs: 500 });
    expect(handles).toEqual([
      { kind: 'NetworkChaos', namespace: 'shop', name: latencyName },
      { kind: 'PodChaos', namespace: 'shop', name: failoverName },
    ]);
    expect(api.calls()).toEqual([
      `POST ${networkChaos}?dryRun=All`,
      `POST ${podChaos}?dryRun=All`,
      `POST ${networkChaos}`,
      `POST ${podChaos}`,
      ...[1, 2, 3].flatMap(() => [`GET ${networkChaos}/${latencyName}`, `GET ${podChaos}/${failoverName}`]),
    ]);
    expect(clock.slept).toEqual([500, 500]);
    for (const request of api.requests) expect(request.authorization).toBe('Bearer stub-token');
    const printed = parseAllDocuments(renderChaosManifests([...latency, ...failover])).map(
      (d) => d.toJS() as unknown,
    );
    expect(api.requests.slice(0, 4).map((r) => r.body)).toEqual([...printed, ...printed]);
    expect(stderr.text()).toBe(
      `info created NetworkChaos shop/${latencyName} context=stub\ninfo created PodChaos shop/${failoverName} context=stub\n`,
    );
  });

  it('reverts with a DELETE per object; an object already gone counts as reverted', async () => {
    const { cluster: real } = await cluster();
    const handles = await injectOnKubernetes(latency, real, { clock: fakeClock() });
    api.requests.length = 0;
    expect(await revertOnKubernetes(handles, real)).toEqual([{ ref: handles[0], outcome: 'deleted' }]);
    expect(await revertOnKubernetes(handles, real)).toEqual([{ ref: handles[0], outcome: 'absent' }]);
    expect(api.calls()).toEqual([
      `DELETE ${networkChaos}/${latencyName}`,
      `DELETE ${networkChaos}/${latencyName}`,
    ]);
    expect(api.storedKeys()).toEqual([]);
  });

  it('an object that exists (409) is refused in the dry run: one line, exit 3, nothing created', async () => {
    const { cluster: real } = await cluster();
    await injectOnKubernetes(latency, real, { clock: fakeClock() });
    api.requests.length = 0;
    const error = await rejection(injectOnKubernetes(latency, real, { clock: fakeClock() }));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).exitCode).toBe(ExitCode.environment);
    expect((error as Error).message).toBe(
      `NetworkChaos shop/${latencyName} already exists on ${api.url}: an earlier run with this id is still injected or was killed; ` +
        `delete it with \`kubectl delete networkchaos/${latencyName} -n shop\`, or choose another run id; nothing was created`,
    );
    expect(api.calls()).toEqual([`POST ${networkChaos}?dryRun=All`]);
  });

  it('a forbidden create (403) is one line naming the object, the server and what to check', async () => {
    api.answer((r) =>
      r.method === 'POST'
        ? status(
            403,
            'Forbidden',
            'networkchaos.chaos-mesh.org is forbidden: User "ci" cannot create resource "networkchaos"',
          )
        : undefined,
    );
    const { cluster: real } = await cluster();
    await expect(injectOnKubernetes(latency, real, { clock: fakeClock() })).rejects.toThrow(
      new EnvironmentError(
        `cannot dry-run create NetworkChaos shop/${latencyName}: the API server ${api.url} answered 403: ` +
          'networkchaos.chaos-mesh.org is forbidden: User "ci" cannot create resource "networkchaos" ' +
          '(check the credentials and RBAC of the kube context); nothing was created',
      ),
    );
  });

  it('a create that fails after another succeeded deletes the first again', async () => {
    api.answer((r) =>
      r.method === 'POST' && r.path === podChaos
        ? status(403, 'Forbidden', 'podchaos is forbidden')
        : undefined,
    );
    const { cluster: real } = await cluster();
    await expect(injectOnKubernetes([...latency, ...failover], real, { clock: fakeClock() })).rejects.toThrow(
      new EnvironmentError(
        `cannot create PodChaos shop/${failoverName}: the API server ${api.url} answered 403: podchaos is forbidden ` +
          '(check the credentials and RBAC of the kube context); the objects made were deleted again',
      ),
    );
    expect(api.calls().slice(2)).toEqual([
      `POST ${networkChaos}`,
      `POST ${podChaos}`,
      `DELETE ${networkChaos}/${latencyName}`,
    ]);
    expect(api.storedKeys()).toEqual([]);
  });

  it('without the Chaos Mesh CRDs (404) the message asks whether Chaos Mesh is installed', async () => {
    api.answer((r) =>
      r.method === 'POST'
        ? status(404, 'NotFound', 'the server could not find the requested resource')
        : undefined,
    );
    const { cluster: real } = await cluster();
    await expect(injectOnKubernetes(failover, real, { clock: fakeClock() })).rejects.toThrow(
      new EnvironmentError(
        `cannot dry-run create PodChaos shop/${failoverName}: the API server ${api.url} answered 404: the server could not find ` +
          'the requested resource (is Chaos Mesh installed, with its PodChaos CRD, and does the namespace exist?); nothing was created',
      ),
    );
  });

  it('an object never injected within the wait is deleted again, and the error says what Chaos Mesh reported', async () => {
    api.injects({ never: true, lastFailure: 'rpc error: code = Unavailable desc = connection refused' });
    const { cluster: real } = await cluster();
    const clock = fakeClock();
    await expect(
      injectOnKubernetes(latency, real, { clock, waitTimeoutMs: 5000, pollMs: 2000 }),
    ).rejects.toThrow(
      new EnvironmentError(
        `NetworkChaos shop/${latencyName} not injected within 5s (conditions: Selected=True, AllInjected=False, ` +
          'last failure: rpc error: code = Unavailable desc = connection refused): check the chaos-daemon logs; ' +
          'the objects made were deleted again',
      ),
    );
    expect(clock.slept).toEqual([2000, 2000, 1000]);
    expect(api.calls().at(-1)).toBe(`DELETE ${networkChaos}/${latencyName}`);
    expect(api.storedKeys()).toEqual([]);
  });

  it('AllInjected without Selected (a selector that matched no pod) is not injected', async () => {
    api.injects({ noPodSelected: true });
    const { cluster: real } = await cluster();
    await expect(
      injectOnKubernetes(failover, real, { clock: fakeClock(), waitTimeoutMs: 1000 }),
    ).rejects.toThrow(
      new EnvironmentError(
        `PodChaos shop/${failoverName} not injected within 1s (conditions: Selected=False, AllInjected=True): ` +
          'does the selector match running pods, and is the Chaos Mesh controller running?; the objects made were deleted again',
      ),
    );
  });

  it('an abort while waiting (SIGINT, a stop condition) deletes what was created and rejects with the abort', async () => {
    api.injects({ never: true });
    const { cluster: real } = await cluster();
    const controller = new AbortController();
    const clock = fakeClock(() => controller.abort());
    const error = await rejection(injectOnKubernetes(latency, real, { clock, signal: controller.signal }));
    expect((error as Error).name).toBe('AbortError');
    expect(api.calls().at(-1)).toBe(`DELETE ${networkChaos}/${latencyName}`);
    expect(api.storedKeys()).toEqual([]);
  });

  it('a signal already aborted sends nothing', async () => {
    const { cluster: real } = await cluster();
    const error = await rejection(injectOnKubernetes(latency, real, { signal: AbortSignal.abort() }));
    expect((error as Error).name).toBe('AbortError');
    expect(api.requests).toEqual([]);
  });

  it('a revert that fails names each object left and the kubectl command that deletes it', async () => {
    const { cluster: real } = await cluster();
    const handles = await injectOnKubernetes(latency, real, { clock: fakeClock() });
    api.answer((r) =>
      r.method === 'DELETE' ? status(403, 'Forbidden', 'cannot delete networkchaos') : undefined,
    );
    await expect(revertOnKubernetes(handles, real)).rejects.toThrow(
      new EnvironmentError(
        `cannot delete NetworkChaos shop/${latencyName}: the API server ${api.url} answered 403: cannot delete networkchaos ` +
          `(check the credentials and RBAC of the kube context); delete it with kubectl delete networkchaos/${latencyName} -n shop`,
      ),
    );
  });

  it('when deleting after a failure fails too, the error names what is left and how to delete it', async () => {
    api.injects({ never: true });
    api.answer((r) =>
      r.method === 'DELETE' ? status(503, 'ServiceUnavailable', 'etcd is down') : undefined,
    );
    const { cluster: real } = await cluster();
    await expect(
      injectOnKubernetes(latency, real, { clock: fakeClock(), waitTimeoutMs: 1000 }),
    ).rejects.toThrow(
      new EnvironmentError(
        `NetworkChaos shop/${latencyName} not injected within 1s (conditions: Selected=True, AllInjected=False): ` +
          'check the chaos-daemon logs; and the objects made could not be deleted: ' +
          `cannot delete NetworkChaos shop/${latencyName}: the API server ${api.url} answered 503: etcd is down; ` +
          `delete it with kubectl delete networkchaos/${latencyName} -n shop`,
      ),
    );
  });

  it('a kubeconfig that cannot be read is bad usage (exit 2), before any request', async () => {
    const error = await rejection(cluster(join(workdir, 'missing-kubeconfig')));
    expect((error as { exitCode?: number }).exitCode).toBe(ExitCode.badInput);
    expect((error as Error).message).toMatch(/^cannot read the kubeconfig .*missing-kubeconfig: /);
    expect(api.requests).toEqual([]);
  });

  it('an unreachable API server is exit 3, naming the server', async () => {
    const closed = await startStubChaosApi();
    await closed.close();
    const file = join(workdir, 'unreachable-kubeconfig');
    writeFileSync(file, kubeconfigFor(closed.url));
    const { cluster: real } = await cluster(file);
    await expect(injectOnKubernetes(latency, real, { clock: fakeClock() })).rejects.toThrow(
      new EnvironmentError(
        `cannot dry-run create NetworkChaos shop/${latencyName}: the Kubernetes API server ${closed.url} is unreachable (ECONNREFUSED); ` +
          'check the kube context; nothing was created',
      ),
    );
  });
});

describe('leftovers of a killed run', () => {
  const leftover = (kind: string, namespace: string, name: string, managed = true) => {
    const labels: Record<string, string> = managed
      ? {
          'app.kubernetes.io/managed-by': 'shopsre',
          'shopsre.dev/run-id': 'gd-old',
          'shopsre.dev/fault': 'partition',
        }
      : { 'app.kubernetes.io/managed-by': 'someone-else' };
    return { kind, apiVersion: 'chaos-mesh.org/v1alpha1', metadata: { name, namespace, labels } };
  };

  it('are listed by the managed-by label, per kind, in one namespace', async () => {
    api.preload(leftover('NetworkChaos', 'shop', 'shopsre-partition-gd-old'));
    api.preload(leftover('NetworkChaos', 'shop', 'not-ours', false));
    api.preload(leftover('NetworkChaos', 'other', 'shopsre-partition-gd-other'));
    const { cluster: real } = await cluster();
    expect(await findLeftovers(real, 'shop')).toEqual([
      {
        kind: 'NetworkChaos',
        namespace: 'shop',
        name: 'shopsre-partition-gd-old',
        runId: 'gd-old',
        fault: 'partition',
      },
    ]);
    const selector = 'labelSelector=app.kubernetes.io%2Fmanaged-by%3Dshopsre';
    expect(api.calls()).toEqual([
      `GET ${chaosApiBase}/namespaces/shop/networkchaos?${selector}`,
      `GET ${chaosApiBase}/namespaces/shop/podchaos?${selector}`,
      `GET ${chaosApiBase}/namespaces/shop/dnschaos?${selector}`,
    ]);
  });

  it('are listed across namespaces when none is given, and each is reverted by its handle', async () => {
    api.preload(leftover('NetworkChaos', 'shop', 'shopsre-partition-gd-old'));
    api.preload(leftover('DNSChaos', 'staging', 'shopsre-vendor-outage-gd-old'));
    const { cluster: real } = await cluster();
    const found = await findLeftovers(real);
    expect(found.map((l) => `${l.kind} ${l.namespace}/${l.name}`)).toEqual([
      'NetworkChaos shop/shopsre-partition-gd-old',
      'DNSChaos staging/shopsre-vendor-outage-gd-old',
    ]);
    expect(api.calls()[0]).toBe(
      `GET ${chaosApiBase}/networkchaos?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dshopsre`,
    );
    await revertOnKubernetes(found, real);
    expect(api.storedKeys()).toEqual([]);
  });
});

describe('the dry run (the default without --apply)', () => {
  it('sends no write at all: inject and revert log what they would do, and the wait reads what the dry run made', async () => {
    const { cluster: real, logger, stderr } = await cluster();
    const dryRun: ChaosCluster = dryRunCluster(real, logger);
    const handles = await injectOnKubernetes([...latency, ...failover], dryRun, { clock: fakeClock() });
    await revertOnKubernetes(handles, dryRun);
    expect(api.requests).toEqual([]);
    expect(stderr.text()).toBe(
      [
        `info dry run: would create NetworkChaos shop/${latencyName}; add --apply to inject the fault`,
        `info dry run: would create PodChaos shop/${failoverName}; add --apply to inject the fault`,
        `info dry run: would delete NetworkChaos shop/${latencyName}`,
        `info dry run: would delete PodChaos shop/${failoverName}`,
        '',
      ].join('\n'),
    );
  });

  it('passes reads through: leftovers are found on the cluster, and reverting them only says what it would delete', async () => {
    api.preload({
      kind: 'PodChaos',
      metadata: {
        name: 'shopsre-db-failover-gd-old',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'shopsre' },
      },
    });
    const { cluster: real, logger, stderr } = await cluster();
    const dryRun = dryRunCluster(real, logger);
    const found = await findLeftovers(dryRun, 'shop');
    expect(
      await revertOnKubernetes([...found, { kind: 'PodChaos', namespace: 'shop', name: 'gone' }], dryRun),
    ).toEqual([
      { ref: found[0], outcome: 'deleted' },
      { ref: { kind: 'PodChaos', namespace: 'shop', name: 'gone' }, outcome: 'absent' },
    ]);
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(api.storedKeys()).toEqual(['shop/podchaos/shopsre-db-failover-gd-old']);
    expect(stderr.text()).toBe('info dry run: would delete PodChaos shop/shopsre-db-failover-gd-old\n');
  });
});
