import { closestWord } from '../core/did-you-mean.js';
import { UsageError } from '../core/errors.js';
import type { Runbook } from './model.js';

/** The runbook that serves an alert, by its `alertname`. */
export function runbookForAlert(runbooks: readonly Runbook[], alertname: string): Runbook | undefined {
  return runbooks.find((runbook) => runbook.alerts.includes(alertname));
}

/** The runbook that serves a chaos catalogue fault. */
export function runbookForFault(runbooks: readonly Runbook[], fault: string): Runbook | undefined {
  return runbooks.find((runbook) => (runbook.faults as readonly string[]).includes(fault));
}

/** A runbook by its name, an alert it serves or a fault it serves; a usage error with a hint otherwise. */
export function findRunbook(runbooks: readonly Runbook[], key: string): Runbook {
  const found =
    runbooks.find((runbook) => runbook.name === key) ??
    runbookForAlert(runbooks, key) ??
    runbookForFault(runbooks, key);
  if (found) return found;
  const vocabulary = runbooks.flatMap((r) => [r.name, ...r.alerts, ...r.faults]);
  const hint = closestWord(key, vocabulary);
  throw new UsageError(
    `no runbook named "${key}" or serving an alert or fault of that name${hint ? ` (did you mean "${hint}"?)` : ''}; shopsre runbook list shows them`,
  );
}
