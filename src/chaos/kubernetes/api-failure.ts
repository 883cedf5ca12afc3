import { EnvironmentError } from '../../core/errors.js';
import { describeRef, kubectlDelete, type ChaosKind, type ChaosRef } from './chaos-object.js';

export type ApiVerb = 'dry-run' | 'create' | 'read' | 'delete' | 'list';

/** The API server's answer, when there was one. */
export interface ApiStatus {
  readonly code: number;
  readonly body: unknown;
}

/**
 * One line for a failed request, naming the object and the API server: the server's own message when
 * it answered, the cause when it did not, and what to check or run next.
 */
export function chaosApiFailure(
  verb: ApiVerb,
  subject: ChaosRef | { readonly kind: ChaosKind; readonly namespace: string | undefined },
  server: string,
  error: unknown,
  status: ApiStatus | undefined,
): EnvironmentError {
  const what =
    'name' in subject
      ? describeRef(subject)
      : `${subject.kind} objects in ${subject.namespace === undefined ? 'all namespaces' : subject.namespace}`;
  const doing = verb === 'dry-run' ? `dry-run create ${what}` : `${verb} ${what}`;
  if (status === undefined) {
    const code = errorCode(error);
    return new EnvironmentError(
      code !== undefined && networkCodes.has(code)
        ? `cannot ${doing}: the Kubernetes API server ${server} is unreachable (${code}); check the kube context`
        : `cannot ${doing}: the request to the Kubernetes API server ${server} failed: ${firstLine(error)}`,
    );
  }
  if (status.code === 409 && 'name' in subject) {
    return new EnvironmentError(
      `${what} already exists on ${server}: an earlier run with this id is still injected or was killed; ` +
        `delete it with \`${kubectlDelete(subject)}\`, or choose another run id`,
    );
  }
  const reason = statusMessage(status.body);
  const hint =
    status.code === 404
      ? ` (is Chaos Mesh installed, with its ${subject.kind} CRD, and does the namespace exist?)`
      : status.code === 401 || status.code === 403
        ? ' (check the credentials and RBAC of the kube context)'
        : '';
  return new EnvironmentError(
    `cannot ${doing}: the API server ${server} answered ${status.code}${reason ? `: ${reason}` : ''}${hint}`,
  );
}

/** Errors that mean no answer came back, as opposed to a client refusing its own configuration. */
const networkCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** The `message` of a Kubernetes Status object, whether the client handed it over parsed or as text. */
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return firstLine(value) || undefined;
    }
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    typeof value.message === 'string'
  ) {
    return firstLine(value.message);
  }
  return undefined;
}

export function firstLine(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.split('\n')[0]?.trim() ?? text;
}
