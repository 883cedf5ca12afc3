import { loadResultsInMemory, type LoadResults } from '../../loadgen/results.js';
import type { Slo } from '../model.js';
import { evaluateSlos, type Evaluation } from './evaluate.js';
import type { BudgetPolicy } from './policy.js';
import { loadResultsSource } from './results-source.js';

/**
 * The SLO gate on a load run this process just made: the same evaluation as `slo check --results`,
 * on the document in memory. `load run --slo` uses it; so can anything that runs load in process.
 */
export async function evaluateLoadResults(
  slos: readonly Slo[],
  results: LoadResults,
  options: { readonly name: string; readonly at: number; readonly policy: BudgetPolicy },
): Promise<Evaluation> {
  const file = loadResultsInMemory(options.name, results);
  return await evaluateSlos(slos, loadResultsSource(file, slos), { at: options.at, policy: options.policy });
}
