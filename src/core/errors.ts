/**
 * Exit codes are a contract with CI jobs and scripts (DESIGN.md): never renumber them.
 */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  badInput: 2,
  environment: 3,
  /** A bug in shopsre, not in the input or the environment: CI must not read it as a breach. */
  internal: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A place in an input file, 1-based as editors show it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface Finding {
  readonly location: SourceLocation;
  readonly message: string;
}

export function formatFinding(finding: Finding): string {
  const { file, line, col } = finding.location;
  return `${file}:${line}:${col}: ${finding.message}`;
}

/** Base of every error a user can cause or fix; its message is printed as is, without a stack. */
export abstract class ShopsreError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Stable identifier that scripts may match on. */
  abstract readonly code: string;
  /** Lines to print; one per finding for input errors. */
  lines(): string[] {
    return [this.message];
  }
}

export class UsageError extends ShopsreError {
  readonly exitCode = ExitCode.badInput;
  readonly code = 'E_USAGE';
}

export class InputError extends ShopsreError {
  readonly exitCode = ExitCode.badInput;
  readonly code = 'E_INPUT';
  constructor(readonly findings: readonly Finding[]) {
    super(findings.map(formatFinding).join('\n'));
  }
  override lines(): string[] {
    return this.findings.map(formatFinding);
  }
}

export class CheckFailedError extends ShopsreError {
  readonly exitCode = ExitCode.checkFailed;
  readonly code = 'E_CHECK_FAILED';
}

export class EnvironmentError extends ShopsreError {
  readonly exitCode = ExitCode.environment;
  readonly code = 'E_ENVIRONMENT';
}
