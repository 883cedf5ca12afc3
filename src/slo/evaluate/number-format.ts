import { formatDuration } from '../../core/duration.js';

/** The figures of an evaluation as every message and renderer prints them: policy reasons, tables, Markdown, JUnit. */

/** The SLI with two more decimals than the objective, so 99.95 % against 99.9 % does not print as 100 %. */
export function formatSli(sli: number, objectivePercent: number): string {
  const objectiveDecimals = (String(objectivePercent).split('.')[1] ?? '').length;
  return `${(sli * 100).toFixed(Math.min(6, objectiveDecimals + 2))}%`;
}

export function formatObjective(objectivePercent: number): string {
  return `${objectivePercent}%`;
}

export function formatBudget(budgetRemaining: number): string {
  return `${(budgetRemaining * 100).toFixed(1)}%`;
}

export function formatBurn(burnRate: number): string {
  return burnRate >= 100 ? burnRate.toFixed(0) : burnRate.toFixed(2);
}

/** A window as Prometheus writes it (`5m`, `30d`), or `run` when every window is a load run's duration. */
export function windowName(windowMs: number, fixedWindowMs: number | undefined): string {
  return fixedWindowMs === undefined ? formatDuration(windowMs) : 'run';
}
