import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferWriter } from '../../src/core/io.js';
import { loadRunbooks } from '../../src/runbook/load-runbooks.js';
import type { Runbook } from '../../src/runbook/model.js';
import { runReadOnlySteps } from '../../src/runbook/run-readonly.js';
import type { StepRecord } from '../../src/runbook/step-record.js';
import { startStoreStack, type StoreStack } from '../../reference-store/src/stack.js';
import { checkoutShopsre, repoRoot } from './helpers.js';

/**
 * A drill of every shipped runbook: its read-only steps against a running embedded store (vendors,
 * CDN and fault proxies included), with `shopsre` in a step being this checkout's CLI. No
 * Prometheus here, so steps that need $PROMETHEUS_URL are skipped with that reason; every other
 * read-only step must pass its check. Mutating steps never run.
 */
let stack: StoreStack | undefined;
let runbooks: Runbook[] = [];
const workdir = mkdtempSync(join(tmpdir(), 'shopsre-runbook-drill-'));

beforeAll(async () => {
  runbooks = await loadRunbooks(join(repoRoot, 'runbooks'));
  stack = await startStoreStack({
    port: 0,
    faultProxyPort: 0,
    seed: 1,
    logSink: bufferWriter(),
    logLevel: 'error',
    env: {},
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(workdir, { recursive: true, force: true });
});

describe('a drill of the shipped runbooks against the embedded store', () => {
  it('runs every read-only step of every runbook, and every one passes its check', async () => {
    const store = stack?.addresses.store ?? '';
    const labels = { segment: 'vip', sloth_slo: 'checkout-availability', sloth_service: 'store' };
    const all: StepRecord[] = [];
    for (const runbook of runbooks) {
      const records = await runReadOnlySteps(runbook, labels, {
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        cwd: workdir,
        now: () => Date.now(),
        values: { STORE_URL: store, SLO_FILE: join(repoRoot, 'reference-store/slos.yaml') },
        shopsre: checkoutShopsre,
      });
      expect(records.map((r) => r.step)).toEqual(runbook.steps.map((s) => s.name));
      expect(records.some((r) => r.outcome === 'passed')).toBe(true);
      all.push(...records);
    }
    const failures = all.filter(
      (r) =>
        !(
          r.outcome === 'passed' ||
          (r.outcome === 'skipped' && r.effect === 'mutating') ||
          (r.outcome === 'skipped' && r.reason === 'no value for $PROMETHEUS_URL')
        ),
    );
    expect(
      failures.map(
        (r) => `${r.runbook}/${r.step}: ${r.outcome} ${r.exitCode} ${r.reason ?? ''}\n${r.output}`,
      ),
    ).toEqual([]);
    expect(all.filter((r) => r.effect === 'mutating').every((r) => r.outcome === 'skipped')).toBe(true);
    // The probes and the store's own endpoints answered: the readiness check matched its pattern.
    expect(
      all
        .filter((r) => r.step === 'readiness')
        .every((r) => r.check.passed === true && r.output.includes('"ready":true')),
    ).toBe(true);
  }, 120_000);
});
