/**
 * What a failed database call says about whose fault it is, by SQLSTATE (PostgreSQL's appendix A,
 * "PostgreSQL Error Codes"). The one place that reads error codes: routes and services turn the
 * class into an answer, and only a database that is away makes the store say "retry".
 */
export type DatabaseErrorClass =
  /** The database is not there right now: connection lost or refused, shutting down, pool timeout. */
  | { readonly kind: 'unavailable' }
  /** Class 22 (data exception) and text PostgreSQL cannot hold: the request carried it. */
  | { readonly kind: 'invalid-input'; readonly sqlState: string }
  /** Class 23: the write breaks a constraint; what that means depends on the constraint. */
  | {
      readonly kind: 'integrity';
      readonly violation: IntegrityViolation;
      readonly sqlState: string;
      readonly constraint: string | undefined;
    }
  /** Anything else, an unknown SQLSTATE included: a bug until shown otherwise. */
  | { readonly kind: 'unknown'; readonly sqlState: string | undefined };

export type IntegrityViolation =
  'foreign-key' | 'unique' | 'check' | 'not-null' | 'exclusion' | 'restrict' | 'other';

const integrityViolations: Readonly<Record<string, IntegrityViolation>> = {
  '23001': 'restrict',
  '23502': 'not-null',
  '23503': 'foreign-key',
  '23505': 'unique',
  '23514': 'check',
  '23P01': 'exclusion',
};

/**
 * Beyond class 08 (connection exception): admin_shutdown, crash_shutdown, cannot_connect_now
 * (57P01-57P03), too_many_connections (53300), and read_only_sql_transaction (25006: a write reached
 * a standby while a failover promotes another, so it is away for writes, not wrong).
 */
const unavailableSqlStates = new Set(['57P01', '57P02', '57P03', '53300', '25006']);
/** 54000 program_limit_exceeded: "null character not permitted", "word is too long to be indexed". */
const invalidInputSqlStates = new Set(['54000']);
/** Socket errors, raised by node before any SQLSTATE exists. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** node-postgres and pg-pool say these without a code: the socket went, or no connection came in time. */
const connectionMessages =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connect ECONNREFUSED|Connection ended|Client was closed and is not queryable/i;

export function classifyDatabaseError(error: unknown): DatabaseErrorClass {
  if (!(error instanceof Error)) return { kind: 'unknown', sqlState: undefined };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && socketCodes.has(code)) return { kind: 'unavailable' };
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  if (sqlState !== undefined) {
    if (sqlState.startsWith('08') || unavailableSqlStates.has(sqlState)) return { kind: 'unavailable' };
    if (sqlState.startsWith('22') || invalidInputSqlStates.has(sqlState)) {
      return { kind: 'invalid-input', sqlState };
    }
    const violation = integrityViolations[sqlState];
    if (violation !== undefined || sqlState.startsWith('23')) {
      const constraint = (error as { constraint?: unknown }).constraint;
      return {
        kind: 'integrity',
        violation: violation ?? 'other',
        sqlState,
        constraint: typeof constraint === 'string' ? constraint : undefined,
      };
    }
    return { kind: 'unknown', sqlState };
  }
  if (connectionMessages.test(error.message)) return { kind: 'unavailable' };
  return { kind: 'unknown', sqlState: undefined };
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return classifyDatabaseError(error).kind === 'unavailable';
}

/**
 * PostgreSQL refuses a NUL in text with 22021; PGlite behind the simple-protocol client would instead
 * see a malformed message (08P01, a connection-class error). Raised before sending, with PostgreSQL's
 * code and words, so both databases fail the same way.
 */
export class UnstorableTextError extends Error {
  readonly code = '22021';
  constructor() {
    super('invalid byte sequence for encoding "UTF8": 0x00');
    this.name = 'UnstorableTextError';
  }
}
