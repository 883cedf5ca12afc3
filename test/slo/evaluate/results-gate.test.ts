import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { parseLoadResults, type LoadResults } from '../../../src/loadgen/results.js';
import { evaluateLoadResults } from '../../../src/slo/evaluate/results-gate.js';
import { defaultPolicy } from '../../../src/slo/evaluate/policy.js';
import { evaluateSlos } from '../../../src/slo/evaluate/evaluate.js';
import { loadResultsSource } from '../../../src/slo/evaluate/results-source.js';
import { loadSloFiles } from '../../../src/slo/load.js';
import { readFileSync } from 'node:fs';

const examplePath = new URL('../../../examples/load-results.json', import.meta.url);
const example = readFileSync(examplePath, 'utf8');
const sloFile = new URL('../../../examples/checkout.slo.yaml', import.meta.url).pathname;

describe('the SLO gate on a results document in memory', () => {
  it('judges exactly as slo check --results does on the same document read from a file', async () => {
    const slos = await loadSloFiles([sloFile], { defaultPeriodMs: 30 * 86_400_000, cwd: '/' });
    const results = JSON.parse(example) as LoadResults;
    const at = Date.UTC(2026, 0, 1);
    const inMemory = await evaluateLoadResults(slos, results, { name: 'r.json', at, policy: defaultPolicy });
    const file = parseLoadResults('r.json', example);
    const fromFile = await evaluateSlos(slos, loadResultsSource(file, slos), { at, policy: defaultPolicy });
    expect(inMemory).toEqual(fromFile);
  });

  it('checks the document against the results contract, with the finding located in its rendering', async () => {
    const slos = await loadSloFiles([sloFile], { defaultPeriodMs: 30 * 86_400_000, cwd: '/' });
    const results = JSON.parse(example) as LoadResults;
    const broken = { ...results, totals: { ...results.totals, errors: results.totals.requests + 1 } };
    const error = await evaluateLoadResults(slos, broken, {
      name: 'run-1',
      at: 0,
      policy: defaultPolicy,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).lines()[0]).toMatch(/^run-1:\d+:\d+: errors \(\d+\) exceed requests/);
  });
});
