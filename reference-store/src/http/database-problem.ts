import {
  classifyDatabaseError,
  type DatabaseErrorClass,
  type IntegrityViolation,
} from '../db/database-errors.js';
import { Problem, unavailable } from './problem.js';

/** What a constraint violation means for one call: unknown product, quantity over the limit... */
export type IntegrityMeanings = Partial<Record<IntegrityViolation, () => Problem>>;

/**
 * The answer to a failed database call, or undefined for an error that is not the database's to
 * explain (a bug: the app logs it and answers 500). Only a database that is away answers 503, the one
 * answer that tells the client to retry; input it cannot store is the client's 400, never retried.
 */
export function databaseProblem(error: unknown, meanings: IntegrityMeanings = {}): Problem | undefined {
  if (error instanceof Problem) return error;
  const found: DatabaseErrorClass = classifyDatabaseError(error);
  switch (found.kind) {
    case 'unavailable':
      return unavailable('the store database is unavailable; retry shortly');
    case 'invalid-input':
      return new Problem(400, 'invalid-input', 'the request holds a value the database cannot store', {
        sqlState: found.sqlState,
      });
    case 'integrity':
      return (
        meanings[found.violation]?.() ??
        new Problem(409, 'conflict', "the request conflicts with the store's data", {
          sqlState: found.sqlState,
        })
      );
    case 'unknown':
      return undefined;
  }
}

/** Runs a database call and answers its failure as `databaseProblem` says; anything else is rethrown. */
export async function answerDatabaseErrors<T>(
  run: () => Promise<T>,
  meanings: IntegrityMeanings = {},
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw databaseProblem(error, meanings) ?? error;
  }
}
