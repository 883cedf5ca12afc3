import { startLoopbackServer } from '../../helpers/loopback-server.js';

/** A request as the stub API server received it. */
export interface ApiRequest {
  readonly method: string;
  /** With the query string. */
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** When the stub's imaginary controller reports an object injected. */
export type Injection =
  /** `Selected` and `AllInjected` true from the Nth read of the object on (1: at once). */
  | { readonly afterReads: number }
  /** Never: `Selected` false, `AllInjected` false, as while the daemon is still at work. */
  | { readonly never: true; readonly lastFailure?: string }
  /** A selector that matched nothing: `Selected` false but `AllInjected` true, as Chaos Mesh reports it. */
  | { readonly noPodSelected: true };

export const chaosApiBase = '/apis/chaos-mesh.org/v1alpha1';
const kindOfPlural: Readonly<Record<string, string>> = {
  networkchaos: 'NetworkChaos',
  podchaos: 'PodChaos',
  dnschaos: 'DNSChaos',
};

interface Stored {
  readonly object: { metadata: { name: string; namespace: string; labels?: Record<string, string> } };
  reads: number;
}

/**
 * The Chaos Mesh part of a Kubernetes API server, on 127.0.0.1: create (with `?dryRun=All`, which
 * stores nothing), get, delete and list-by-label of chaos-mesh.org/v1alpha1 objects, a 409 for a
 * name taken, a 404 for one missing, and a status that turns to injected as `injection` says. It
 * records every request. It checks nothing else: no RBAC, no admission webhook, no CRD schema, and
 * no controller or daemon does anything to any pod.
 */
export async function startStubChaosApi() {
  const requests: ApiRequest[] = [];
  const stored = new Map<string, Stored>();
  let injection: Injection = { afterReads: 1 };
  let override: ((request: ApiRequest) => ApiAnswer | undefined) | undefined;

  const statusOf = (entry: Stored): unknown => {
    entry.reads += 1;
    if ('afterReads' in injection) {
      const done = entry.reads >= injection.afterReads ? 'True' : 'False';
      return { conditions: [condition('Selected', done), condition('AllInjected', done)], experiment: {} };
    }
    if ('noPodSelected' in injection) {
      return {
        conditions: [condition('Selected', 'False'), condition('AllInjected', 'True')],
        experiment: {},
      };
    }
    const events =
      injection.lastFailure === undefined
        ? []
        : [
            {
              type: 'Failed',
              operation: 'Apply',
              message: injection.lastFailure,
              timestamp: '2025-01-01T10:00:00Z',
            },
          ];
    return {
      conditions: [condition('Selected', 'True'), condition('AllInjected', 'False')],
      experiment: {
        containerRecords: [
          {
            id: 'shop/store-0',
            phase: 'Not Injected',
            selectorKey: '.',
            injectedCount: 0,
            recoveredCount: 0,
            events,
          },
        ],
      },
    };
  };

  const handle = (request: ApiRequest): ApiAnswer => {
    const forced = override?.(request);
    if (forced) return forced;
    const url = new URL(request.path, 'http://stub');
    const match =
      /^\/apis\/chaos-mesh\.org\/v1alpha1\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?$/.exec(
        url.pathname,
      );
    const [, namespace, plural = '', name] = match ?? [];
    const kind = kindOfPlural[plural];
    if (!match || kind === undefined)
      return status(404, 'NotFound', 'the server could not find the requested resource');
    const key = `${namespace}/${plural}/${name}`;
    if (request.method === 'POST' && namespace !== undefined && name === undefined) {
      const object = request.body as Stored['object'];
      const objectKey = `${namespace}/${plural}/${object.metadata.name}`;
      if (stored.has(objectKey)) {
        return status(
          409,
          'AlreadyExists',
          `${plural}.chaos-mesh.org "${object.metadata.name}" already exists`,
        );
      }
      if (url.searchParams.get('dryRun') !== 'All') stored.set(objectKey, { object, reads: 0 });
      return { status: 201, body: { ...object, metadata: { ...object.metadata, uid: 'stub-uid' } } };
    }
    if (request.method === 'GET' && name !== undefined) {
      const entry = stored.get(key);
      if (!entry) return status(404, 'NotFound', `${plural}.chaos-mesh.org "${name}" not found`);
      return { status: 200, body: { ...entry.object, status: statusOf(entry) } };
    }
    if (request.method === 'GET') {
      const wanted = (url.searchParams.get('labelSelector') ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('='));
      const items = [...stored.entries()]
        .filter(
          ([k]) => k.split('/')[1] === plural && (namespace === undefined || k.startsWith(`${namespace}/`)),
        )
        .map(([, entry]) => entry.object)
        .filter((object) => wanted.every(([label = '', value]) => object.metadata.labels?.[label] === value));
      return {
        status: 200,
        body: { apiVersion: 'chaos-mesh.org/v1alpha1', kind: `${kind}List`, metadata: {}, items },
      };
    }
    if (request.method === 'DELETE' && name !== undefined) {
      if (!stored.delete(key)) return status(404, 'NotFound', `${plural}.chaos-mesh.org "${name}" not found`);
      return { status: 200, body: { kind: 'Status', apiVersion: 'v1', status: 'Success' } };
    }
    return status(405, 'MethodNotAllowed', `${request.method} is not supported here`);
  };

  const { url, close } = await startLoopbackServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const request: ApiRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        authorization: req.headers.authorization,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(request);
      const answer = handle(request);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  return {
    url,
    requests,
    /** `METHOD path` of every request so far, the query string kept. */
    calls: () => requests.map((r) => `${r.method} ${r.path}`),
    /** The objects the stub holds, as `namespace/plural/name`. */
    storedKeys: () => [...stored.keys()],
    injects(next: Injection) {
      injection = next;
    },
    /** Answers the requests `respond` picks with its answer, before the stub's own handling. */
    answer(respond: (request: ApiRequest) => ApiAnswer | undefined) {
      override = respond;
    },
    /** An object left on the "cluster", as by an earlier run. */
    preload(object: Stored['object'] & { kind: string }) {
      const plural = Object.entries(kindOfPlural).find(([, k]) => k === object.kind)?.[0] ?? '';
      stored.set(`${object.metadata.namespace}/${plural}/${object.metadata.name}`, { object, reads: 0 });
    },
    reset() {
      requests.length = 0;
      stored.clear();
      injection = { afterReads: 1 };
      override = undefined;
    },
    close,
  };
}

function condition(type: string, value: 'True' | 'False') {
  return { type, status: value };
}

/** A Kubernetes Status object, as the API server sends with an error. */
export function status(code: number, reason: string, message: string): ApiAnswer {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code },
  };
}
