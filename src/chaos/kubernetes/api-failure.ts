import { EnvironmentError } from '../../core/errors.js';
import { credentialsHint, statusMessage, unansweredRequest } from '../../core/kube-context.js';
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
  if (status === undefined) return unansweredRequest(doing, server, error);
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
      : credentialsHint(status.code);
  return new EnvironmentError(
    `cannot ${doing}: the API server ${server} answered ${status.code}${reason ? `: ${reason}` : ''}${hint}`,
  );
}
