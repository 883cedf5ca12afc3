import { startLoopbackServer } from '../../helpers/loopback-server.js';

/** A request as the stub API server received it. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/** An answer other than success, for `METHOD /path`. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The two endpoints `load k6 --apply` calls, and the ConfigMap DELETE of its rollback, on
 * 127.0.0.1: a stand-in for a Kubernetes API server that records what it is sent. It answers as the
 * API server does (the created object, with a uid, as JSON; a Status object on failure), but checks
 * nothing: RBAC, admission, CRD validation and the operator are not part of it.
 */
export async function startStubKubeApi() {
  const requests: ApiRequest[] = [];
  const answers = new Map<string, ApiAnswer>();
  const { url, close } = await startLoopbackServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      requests.push({
        method,
        path,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      });
      const answer = answers.get(`${method} ${path.split('?')[0]}`) ?? success(method, text);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  return {
    url,
    requests,
    /** Answers `METHOD /path` with this status and body from now on. */
    answer(route: string, answer: ApiAnswer) {
      answers.set(route, answer);
    },
    reset() {
      requests.length = 0;
      answers.clear();
    },
    close,
  };
}

function success(method: string, body: string): ApiAnswer {
  if (method !== 'POST')
    return { status: 200, body: { kind: 'Status', apiVersion: 'v1', status: 'Success' } };
  const object = JSON.parse(body) as { metadata?: Record<string, unknown> };
  return { status: 201, body: { ...object, metadata: { ...object.metadata, uid: 'stub-uid' } } };
}

/** A Kubernetes Status object, as the API server sends with an error. */
export function status(code: number, reason: string, message: string): ApiAnswer {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code },
  };
}

/** A kubeconfig whose current context points at `server`, with a bearer token. */
export function kubeconfigFor(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: stub',
    // The client refuses plain HTTP unless told to skip TLS verification; a real cluster is HTTPS.
    `  cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
    'users:',
    '- name: stub',
    '  user: { token: stub-token }',
    'contexts:',
    '- name: stub',
    '  context: { cluster: stub, user: stub }',
    'current-context: stub',
    '',
  ].join('\n');
}
