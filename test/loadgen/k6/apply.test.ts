import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { run as runCli } from '../../../src/cli.js';
import { runLoadK6, type LoadK6Options } from '../../../src/commands/load-k6.js';
import { fixedClock } from '../../../src/core/clock.js';
import { EnvironmentError, ExitCode, UsageError } from '../../../src/core/errors.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import { kubeconfigFor, startStubKubeApi, status } from './stub-kube-api.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-k6-apply-'));
let api: Awaited<ReturnType<typeof startStubKubeApi>>;
let kubeconfig: string;

beforeAll(async () => {
  api = await startStubKubeApi();
  kubeconfig = join(workdir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api.url));
});
afterAll(async () => {
  await api.close();
  rmSync(workdir, { recursive: true, force: true });
});
beforeEach(() => api.reset());

const name = 'shopsre-20250101-100000';
const configMapPath = '/api/v1/namespaces/load/configmaps';
const testRunPath = '/apis/k6.io/v1alpha1/namespaces/load/testruns';

function loadK6(options: Partial<LoadK6Options>) {
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  const clock = fixedClock(Date.UTC(2025, 0, 1, 10, 0, 0));
  const ctx = {
    io: { stdout, stderr, env: {}, cwd: workdir, isTTY: false },
    clock,
    logger: createLogger({ sink: stderr, clock }),
  };
  const run = runLoadK6(
    {
      target: 'http://store.shop.svc:8080',
      allowTarget: ['store.shop.svc'],
      operator: true,
      apply: true,
      namespace: 'load',
      kubeconfig,
      parallelism: '2',
      ...options,
    },
    ctx,
  );
  return { run, stdout, stderr };
}

describe('load k6 --operator --apply, against a stub Kubernetes API server on loopback', () => {
  it('POSTs the ConfigMap, then the TestRun, as JSON with the context credentials, bodies equal to the printed YAML', async () => {
    const { run, stdout, stderr } = loadK6({});
    expect(await run).toBe(ExitCode.ok);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${configMapPath}`,
      `POST ${testRunPath}`,
      `PATCH ${configMapPath}/${name}`,
    ]);
    const [configMap, testRun] = api.requests;
    const printed = parseAllDocuments(stdout.text()).map((doc) => doc.toJS() as unknown);
    expect([configMap?.body, testRun?.body]).toEqual(printed);
    for (const request of [configMap, testRun]) {
      expect(request?.contentType).toMatch(/^application\/json/);
    }
    for (const request of api.requests) expect(request.authorization).toBe('Bearer stub-token');
    expect(testRun?.body).toMatchObject({
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name, namespace: 'load' },
      spec: { parallelism: 2, script: { configMap: { name, file: 'script.js' } } },
    });
    expect(stderr.text()).toContain(`info created ConfigMap load/${name} context=stub\n`);
    expect(stderr.text()).toContain(
      `info created TestRun load/${name}; follow it with: kubectl get testrun ${name} -n load -w\n`,
    );
  });

  it('then makes the TestRun own the ConfigMap (merge patch with the uid the server gave it), so cleanup: post removes both', async () => {
    const { run } = loadK6({});
    expect(await run).toBe(ExitCode.ok);
    const patch = api.requests[2];
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect(patch?.body).toEqual({
      metadata: {
        ownerReferences: [{ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', name, uid: 'stub-uid' }],
      },
    });
  });

  it('a failed owner patch only warns: the test is already running', async () => {
    api.answer(
      `PATCH ${configMapPath}/${name}`,
      status(403, 'Forbidden', 'configmaps is forbidden: cannot patch'),
    );
    const { run, stderr } = loadK6({});
    expect(await run).toBe(ExitCode.ok);
    expect(stderr.text()).toContain(
      `warn ConfigMap load/${name} will outlive the test (configmaps is forbidden: cannot patch): delete it afterwards with kubectl delete configmap ${name} -n load
`,
    );
  });

  it('a TestRun that exists (409) is exit 3 with how to delete it, and the new ConfigMap is deleted again', async () => {
    api.answer(
      `POST ${testRunPath}`,
      status(409, 'AlreadyExists', `testruns.k6.io "${name}" already exists`),
    );
    const { run } = loadK6({});
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).exitCode).toBe(ExitCode.environment);
    expect((error as EnvironmentError).message).toBe(
      `TestRun load/${name} already exists: delete it with \`kubectl delete testrun/${name} configmap/${name} -n load --ignore-not-found\`, or choose another --name`,
    );
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${configMapPath}`,
      `POST ${testRunPath}`,
      `DELETE ${configMapPath}/${name}`,
    ]);
  });

  it('a ConfigMap that exists (409) stops before the TestRun, and prints no manifests', async () => {
    api.answer(`POST ${configMapPath}`, status(409, 'AlreadyExists', `configmaps "${name}" already exists`));
    const { run, stdout } = loadK6({});
    await expect(run).rejects.toThrow(
      new EnvironmentError(
        `ConfigMap load/${name} already exists: delete it with \`kubectl delete testrun/${name} configmap/${name} -n load --ignore-not-found\`, or choose another --name`,
      ),
    );
    expect(api.requests).toHaveLength(1);
    expect(stdout.text()).toBe('');
  });

  it.each([
    [
      `POST ${configMapPath}`,
      status(403, 'Forbidden', 'configmaps is forbidden: User "ci" cannot create resource "configmaps"'),
      `cannot create ConfigMap load/${name}: the API server answered 403: configmaps is forbidden: User "ci" cannot create resource "configmaps" (check the credentials and RBAC of the kube context)`,
    ],
    [
      `POST ${testRunPath}`,
      status(404, 'NotFound', 'the server could not find the requested resource'),
      `cannot create TestRun load/${name}: the API server answered 404: the server could not find the requested resource (is k6-operator installed? its TestRun CRD is missing)`,
    ],
  ])('an API error on %s is one line, exit 3', async (route, answer, message) => {
    api.answer(route, answer);
    const { run } = loadK6({});
    await expect(run).rejects.toThrow(new EnvironmentError(message));
  });

  it('an unreachable API server is exit 3, naming the server', async () => {
    const closed = await startStubKubeApi();
    await closed.close();
    const unreachable = join(workdir, 'unreachable-kubeconfig');
    writeFileSync(unreachable, kubeconfigFor(closed.url));
    const { run } = loadK6({ kubeconfig: unreachable });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toBe(
      `cannot create ConfigMap load/${name}: the Kubernetes API server ${closed.url} is unreachable (ECONNREFUSED); check the kube context`,
    );
  });

  it.each(['kube-system', 'kube-public', 'kube-node-lease'])(
    'refuses namespace %s with exit 2 before any request',
    async (namespace) => {
      const { run } = loadK6({ namespace });
      const error = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(ExitCode.badInput);
      expect(api.requests).toEqual([]);
    },
  );

  it.each([
    ['http://203.0.113.9:8080', '203.0.113.9'],
    ['https://shop.example.com', 'shop.example.com'],
    ['http://store.shop.svc:8080', 'store.shop.svc'],
    ['http://store.shop:8080', 'store.shop'],
    ['http://127.0.0.1:8080', '127.0.0.1'],
  ])(
    'refuses --apply to %s (not a Service of the namespace) without --allow-target, before any request',
    async (target, host) => {
      const { run } = loadK6({ target, allowTarget: [] });
      await expect(run).rejects.toThrow(
        new UsageError(
          `refusing to send load to ${host}: from the cluster only Services of namespace load (name, name.load, ` +
            `name.load.svc[.cluster domain]) are allowed by default; if this host is yours to load, add --allow-target ${host}`,
        ),
      );
      expect(api.requests).toEqual([]);
    },
  );

  it.each([
    'http://store:8080',
    'http://store.load:8080',
    'http://store.load.svc:8080',
    'http://store.load.svc.cluster.local',
  ])(
    'applies a TestRun that loads %s, a Service of its own namespace, without --allow-target',
    async (target) => {
      const { run } = loadK6({ target, allowTarget: [] });
      expect(await run).toBe(ExitCode.ok);
      expect(api.requests.map((r) => `${r.method} ${r.path}`)).toContain(`POST ${testRunPath}`);
    },
  );

  it('refuses --apply without --namespace, before any request', async () => {
    const { run } = loadK6({ namespace: undefined });
    await expect(run).rejects.toThrow(
      new UsageError('--apply needs --namespace: say where the TestRun goes rather than use the default'),
    );
    expect(api.requests).toEqual([]);
  });

  it('sends nothing without --apply: prints the manifests and what would be created', async () => {
    const { run, stdout, stderr } = loadK6({ apply: false });
    expect(await run).toBe(ExitCode.ok);
    expect(api.requests).toEqual([]);
    expect(parseAllDocuments(stdout.text()).map((doc) => (doc.toJS() as { kind: string }).kind)).toEqual([
      'ConfigMap',
      'TestRun',
    ]);
    expect(stderr.text()).toBe(
      [
        `info dry run: would create ConfigMap ${name} in load`,
        `info dry run: would create TestRun ${name} in load with 2 runner(s); add --apply to create them`,
        '',
      ].join('\n'),
    );
  });

  it('through the CLI: a 409 is exit 3 with one line on stderr, a refused namespace exit 2 with no request', async () => {
    api.answer(`POST ${configMapPath}`, status(409, 'AlreadyExists', 'configmaps "taken" already exists'));
    const stderr = bufferWriter();
    const io = { stdout: bufferWriter(), stderr, env: {}, cwd: workdir, isTTY: false };
    const argv = [
      'load',
      'k6',
      '--target',
      'http://store:8080',
      '--operator',
      '--name',
      'taken',
      '--kubeconfig',
      kubeconfig,
    ];
    expect(await runCli([...argv, '--namespace', 'load', '--apply'], io)).toBe(ExitCode.environment);
    expect(stderr.text()).toBe(
      'ConfigMap load/taken already exists: delete it with `kubectl delete testrun/taken configmap/taken -n load --ignore-not-found`, or choose another --name\n',
    );
    api.reset();
    expect(await runCli([...argv, '--namespace', 'kube-system', '--apply'], io)).toBe(ExitCode.badInput);
    expect(api.requests).toEqual([]);
  });
});
