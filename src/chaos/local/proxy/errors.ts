import type { z } from 'zod';
import { ExitCode, ShopsreError } from '../../../core/errors.js';

/** The HTTP status the control API answers for it; the in-process API throws the same error. */
type FaultProxyErrorStatus = 400 | 404 | 409;

/** A refused control request: bad input (400), an unknown proxy or toxic (404), or a conflict (409). */
export class FaultProxyError extends ShopsreError {
  readonly exitCode = ExitCode.badInput;
  readonly code = 'E_FAULT_PROXY';
  constructor(
    readonly status: FaultProxyErrorStatus,
    message: string,
  ) {
    super(message);
  }
}

/** Every zod issue as `path: message`, joined, so one answer names every bad field. */
export function invalid(error: z.ZodError, prefix = ''): FaultProxyError {
  const findings = error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  return new FaultProxyError(400, findings.join('; '));
}
