import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithPrometheus } from '../helpers/describe-with-prometheus.js';
import { runPromtool } from '../helpers/prometheus.js';
import { parse } from 'yaml';
import { runSloGenerate, type SloGenerateOptions } from '../../src/commands/slo-generate.js';
import { fixedClock } from '../../src/core/clock.js';
import { ExitCode } from '../../src/core/errors.js';
import { bufferWriter } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import type { Slo } from '../../src/slo/model.js';
import { generateRuleGroups } from '../../src/slo/rules/generate.js';
import { generatePromtoolTests } from '../../src/slo/rules/promtool-tests.js';
import { renderPrometheusRules } from '../../src/slo/rules/render-prometheus.js';
import { segmentedSlos } from '../slo/rules/segmented-example.js';
import {
  loadGettingStarted,
  loadSlothReference,
  loadSlothWithWeeklyWindows,
  slothTestdata,
} from '../slo/rules/sloth-reference.js';

/**
 * Every generated rule file passes `promtool check rules`, and every generated test file passes
 * `promtool test rules` (Prometheus 2.42 from the Debian `prometheus` package). Without promtool
 * they fail (test/helpers/describe-with-prometheus.ts).
 */
const day = 86_400_000;
let workdir = '';

function promtool(...args: string[]): { status: number | null; output: string } {
  return runPromtool(args, { cwd: workdir });
}

function expectPromtool(...args: string[]): void {
  const { status, output } = promtool(...args);
  expect(status, output).toBe(0);
  expect(output).toContain('SUCCESS');
}

/** Writes the rules and their promtool tests, then has promtool check and run them. */
function checkAndTest(name: string, slos: readonly Slo[], compat?: 'sloth'): void {
  const rules = `${name}.rules.yaml`;
  const groups = generateRuleGroups(slos, { compat, version: 'test', mode: 'cli-gen-prom' });
  writeFileSync(join(workdir, rules), renderPrometheusRules(groups, { compat, version: 'test' }));
  writeFileSync(join(workdir, `${name}.test.yaml`), generatePromtoolTests(slos, rules));
  expectPromtool('check', 'rules', rules);
  expectPromtool('test', 'rules', `${name}.test.yaml`);
}

describeWithPrometheus('promtool accepts the generated rules and their tests', () => {
  // Created here, not at import, so a skipped run leaves nothing behind.
  beforeAll(() => {
    workdir = mkdtempSync(join(tmpdir(), 'shopsre-promtool-'));
  });
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  describe('Sloth-compatible output of the Sloth reference specs', () => {
    it('in-base.yaml, 30d', () =>
      checkAndTest('sloth-base-30d', loadSlothReference(`${slothTestdata}/in-base.yaml`), 'sloth'));
    it('in-base.yaml, 28d', () =>
      checkAndTest('sloth-base-28d', loadSlothReference(`${slothTestdata}/in-base.yaml`, 28 * day), 'sloth'));
    it('in-base.yaml, 7d catalog', () =>
      checkAndTest('sloth-base-7d', loadSlothWithWeeklyWindows(), 'sloth'));
    it('getting-started.yml', () => checkAndTest('sloth-getting-started', loadGettingStarted(), 'sloth'));
  });

  describe('default output', () => {
    it('of the Sloth reference specs', () => {
      checkAndTest('default-base', loadSlothReference(`${slothTestdata}/in-base.yaml`));
      checkAndTest('default-getting-started', loadGettingStarted());
    });

    it('of the segmented example (the golden files)', () => {
      checkAndTest('default-segmented', segmentedSlos());
      const golden = (file: string): string =>
        fileURLToPath(new URL(`../golden/slo/${file}`, import.meta.url));
      expectPromtool('check', 'rules', golden('segmented.rules.yaml'));
      expectPromtool('test', 'rules', golden('segmented.rules.test.yaml'));
    });
  });

  describe('shopsre slo generate on the example spec', () => {
    const generate = async (options: Partial<SloGenerateOptions>): Promise<ExitCode> => {
      const stderr = bufferWriter();
      const io = { stdout: bufferWriter(), stderr, env: {}, cwd: workdir, isTTY: false };
      const clock = fixedClock(0);
      const ctx = { io, clock, logger: createLogger({ sink: stderr, clock }) };
      const example = fileURLToPath(new URL('../../examples/checkout.slo.yaml', import.meta.url));
      return runSloGenerate(
        { paths: [example], format: 'prometheus', defaultSloPeriod: '30d', ...options },
        ctx,
      );
    };

    it("the reference store's own SLOs: rules promtool checks and tests promtool runs", async () => {
      const storeSlos = fileURLToPath(new URL('../../reference-store/slos.yaml', import.meta.url));
      expect(await generate({ paths: [storeSlos], out: 'store.rules.yaml', tests: 'store.test.yaml' })).toBe(
        ExitCode.ok,
      );
      expectPromtool('check', 'rules', 'store.rules.yaml');
      expectPromtool('test', 'rules', 'store.test.yaml');
    });

    it('--out and --tests write files promtool checks and runs', async () => {
      expect(await generate({ out: 'example.rules.yaml', tests: 'example.test.yaml' })).toBe(ExitCode.ok);
      expectPromtool('check', 'rules', 'example.rules.yaml');
      expectPromtool('test', 'rules', 'example.test.yaml');
    });

    it('--format prometheus-operator: the spec.groups of the PrometheusRule are a valid rule file', async () => {
      expect(await generate({ format: 'prometheus-operator', out: 'example.prometheusrule.yaml' })).toBe(
        ExitCode.ok,
      );
      const object = parse(readFileSync(join(workdir, 'example.prometheusrule.yaml'), 'utf8')) as {
        spec: { groups: unknown[] };
      };
      writeFileSync(
        join(workdir, 'example.operator-groups.yaml'),
        JSON.stringify({ groups: object.spec.groups }),
      );
      expectPromtool('check', 'rules', 'example.operator-groups.yaml');
    });
  });
});
