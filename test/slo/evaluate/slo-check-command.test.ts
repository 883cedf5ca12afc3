import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSloEvaluation, type SloEvaluationOptions } from '../../../src/commands/slo-check.js';
import type { CommandContext } from '../../../src/commands/context.js';
import { fixedClock } from '../../../src/core/clock.js';
import { ExitCode, InputError, ShopsreError, UsageError } from '../../../src/core/errors.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import type { JsonReport } from '../../../src/slo/evaluate/json-report.js';
import { at, loadResults, summary } from './fakes.js';

let dir: string;

const sloFile = (segments: string[], severity = 'page') =>
  [
    'apiVersion: shopsre/v1',
    'kind: SLO',
    'service: store',
    `segments: { label: segment, values: [${segments.join(', ')}] }`,
    'name: checkout-availability',
    'objective: 99',
    'period: 30d',
    'sli:',
    '  events:',
    '    errorQuery: sum(rate(http_requests_total{route="/api/checkout",status_class="5xx"}[{{.window}}]))',
    '    totalQuery: sum(rate(http_requests_total{route="/api/checkout"}[{{.window}}]))',
    'loadResults: { steps: [checkout] }',
    `alerting: { page: { severity: ${severity} }, ticket: { severity: ${severity === 'page' ? 'ticket' : 'warning'} } }`,
    '',
  ].join('\n');

/** guest: 0.2 % errors (a fifth of a 1 % budget). vip: 10 % errors, ten times the budget rate. */
const results = loadResults({
  totals: summary(2_000, 102),
  byStep: { checkout: summary(2_000, 102) },
  bySegment: { guest: summary(1_000, 2), vip: summary(1_000, 100) },
  bySegmentStep: { guest: { checkout: summary(1_000, 2) }, vip: { checkout: summary(1_000, 100) } },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shopsre-slo-check-'));
  await writeFile(join(dir, 'checkout.slo.yaml'), sloFile(['guest', 'vip']));
  await writeFile(join(dir, 'guest.slo.yaml'), sloFile(['guest']));
  await writeFile(join(dir, 'critical.slo.yaml'), sloFile(['guest'], 'critical'));
  await writeFile(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  await writeFile(
    join(dir, 'policy.yaml'),
    [
      'apiVersion: shopsre/v1',
      'kind: BudgetPolicy',
      'steps:',
      '  - name: low',
      '    when: { budgetRemainingBelow: 90 }',
      '    action: warn',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'bad-policy.yaml'),
    [
      'apiVersion: shopsre/v1',
      'kind: BudgetPolicy',
      'steps:',
      '  - name: low',
      '    when: { budgetRemainingBelow: 90 }',
      '    action: stop',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function terminal(env: Record<string, string> = {}) {
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  const clock = fixedClock(at);
  const ctx: CommandContext = {
    io: { stdout, stderr, env, cwd: dir, isTTY: false },
    clock,
    logger: createLogger({ sink: stderr, clock }),
  };
  return { ctx, out: () => stdout.text(), err: () => stderr.text() };
}

function options(overrides: Partial<SloEvaluationOptions> = {}): SloEvaluationOptions {
  return {
    paths: ['checkout.slo.yaml'],
    results: 'results.json',
    defaultSloPeriod: '30d',
    json: false,
    gate: true,
    ...overrides,
  };
}

/** The exit code the CLI would turn a thrown error into. */
async function exitCodeOf(run: Promise<ExitCode>): Promise<{ code: ExitCode; error?: ShopsreError }> {
  try {
    return { code: await run };
  } catch (error) {
    if (error instanceof ShopsreError) return { code: error.exitCode, error };
    throw error;
  }
}

describe('slo check and slo report', () => {
  it('check exits 1 when a segment fails and prints the table on stdout', async () => {
    const t = terminal();
    expect(await runSloEvaluation(options(), t.ctx)).toBe(ExitCode.checkFailed);
    const lines = t.out().split('\n');
    expect(lines[1]).toMatch(/^store\/checkout-availability {2}guest .* PASS$/);
    expect(lines[2]).toMatch(/^store\/checkout-availability {2}vip .* -900\.0% .* FAIL$/);
    expect(t.out()).toContain('The results cover only the load run (10m)');
  });

  it('report prints the same evaluation and exits 0', async () => {
    const t = terminal();
    expect(await runSloEvaluation(options({ gate: false }), t.ctx)).toBe(ExitCode.ok);
    expect(t.out()).toMatch(/^FAIL: 2 SLOs, 1 pass, 0 warn, 1 fail/m);
  });

  it('check exits 0 when every SLO passes', async () => {
    expect(await runSloEvaluation(options({ paths: ['guest.slo.yaml'] }), terminal().ctx)).toBe(ExitCode.ok);
  });

  it('--json prints only the JSON report on stdout, evaluated at --at', async () => {
    const t = terminal();
    await runSloEvaluation(options({ json: true, at: '1740830400' }), t.ctx);
    const report = JSON.parse(t.out()) as JsonReport;
    expect(report).toMatchObject({
      evaluatedAt: '2025-03-01T12:00:00.000Z',
      source: { origin: 'results.json', measuredWindowMs: 600_000 },
      verdict: 'fail',
      counts: { total: 2, pass: 1, warn: 0, fail: 1 },
    });
    expect(report.slos.map((s) => [s.segment, s.errorRatio, s.events])).toEqual([
      ['guest', 0.002, 1_000],
      ['vip', 0.1, 1_000],
    ]);
    expect(t.err()).not.toContain('::error');
  });

  it('accepts --at in RFC 3339 and rejects anything else as bad usage', async () => {
    const t = terminal();
    await runSloEvaluation(options({ json: true, at: '2025-03-01T13:00:00+01:00' }), t.ctx);
    expect((JSON.parse(t.out()) as JsonReport).evaluatedAt).toBe('2025-03-01T12:00:00.000Z');
    const { code, error } = await exitCodeOf(runSloEvaluation(options({ at: 'yesterday' }), terminal().ctx));
    expect(code).toBe(ExitCode.badInput);
    expect(error?.message).toMatch(/^--at "yesterday": expected RFC 3339/);
  });

  it('prints GitHub annotations on stderr only under GitHub Actions', async () => {
    const t = terminal({ GITHUB_ACTIONS: 'true' });
    await runSloEvaluation(options({ json: true }), t.ctx);
    expect(() => JSON.parse(t.out()) as unknown).not.toThrow();
    expect(
      t
        .err()
        .split('\n')
        .filter((l) => l.startsWith('::')),
    ).toEqual([
      '::error file=checkout.slo.yaml,title=SLO store-checkout-availability-vip failed::budget-exhausted: error budget remaining -900.0%25 is below 0%25',
      '::error file=checkout.slo.yaml,title=SLO store-checkout-availability-vip failed::page-burn: page tier (severity page) is firing: burn rate 10.00 over run and 10.00 over run, above 6.00',
    ]);
  });

  it('writes JUnit, and adds the Markdown to the step summary instead of replacing it', async () => {
    const summaryFile = join(dir, 'step-summary.md');
    await writeFile(summaryFile, '## Earlier step output\n');
    const t = terminal({ GITHUB_STEP_SUMMARY: summaryFile });
    await runSloEvaluation(options({ junit: 'slo.xml', markdown: summaryFile }), t.ctx);
    expect(await readFile(join(dir, 'slo.xml'), 'utf8')).toMatch(
      /^<\?xml .*\n<testsuites name="shopsre slo check" tests="2" failures="1"/,
    );
    const markdown = await readFile(summaryFile, 'utf8');
    expect(markdown).toMatch(/^## Earlier step output\n### ❌ SLO check failed: 1 of 2 SLOs\n/);

    await runSloEvaluation(options({ markdown: 'report.md' }), terminal().ctx);
    await runSloEvaluation(options({ markdown: 'report.md' }), terminal().ctx);
    expect((await readFile(join(dir, 'report.md'), 'utf8')).match(/^### /gm)).toHaveLength(1);
  });

  it('applies a policy file, and warns about steps that can never match', async () => {
    const t = terminal();
    expect(
      await runSloEvaluation(options({ paths: ['critical.slo.yaml'], policy: 'policy.yaml' }), t.ctx),
    ).toBe(ExitCode.ok);
    expect(t.out()).toContain(
      'WARN store-checkout-availability-guest: low: error budget remaining 80.0% is below 90%',
    );
    const d = terminal();
    await runSloEvaluation(options({ paths: ['critical.slo.yaml'] }), d.ctx);
    expect(d.err()).toContain(
      'warn policy step "page-burn" can never match: no alert tier has severity "page"',
    );
  });
});

describe('bad usage and bad input exit 2', () => {
  it('needs exactly one of --prometheus and --results', async () => {
    for (const flags of [{ results: undefined }, { prometheus: 'http://127.0.0.1:9' }]) {
      const { code, error } = await exitCodeOf(runSloEvaluation(options(flags), terminal().ctx));
      expect(code).toBe(ExitCode.badInput);
      expect(error).toBeInstanceOf(UsageError);
      expect(error?.message).toBe('give exactly one of --prometheus URL or --results FILE');
    }
  });

  it('rejects a bad period, a URL that is not one, and a missing file', async () => {
    const cases: [Partial<SloEvaluationOptions>, RegExp][] = [
      [{ defaultSloPeriod: 'a month' }, /^--default-slo-period "a month"/],
      [
        { results: undefined, prometheus: 'localhost 9090' },
        /^--prometheus "localhost 9090": expected a URL/,
      ],
      [{ results: 'missing.json' }, /^--results missing\.json: cannot read it \(ENOENT\)$/],
      [{ policy: 'missing.yaml' }, /^--policy missing\.yaml: cannot read it \(ENOENT\)$/],
    ];
    for (const [flags, message] of cases) {
      const { code, error } = await exitCodeOf(runSloEvaluation(options(flags), terminal().ctx));
      expect(code).toBe(ExitCode.badInput);
      expect(error?.message).toMatch(message);
    }
  });

  it('a bad policy file names file:line:col', async () => {
    const { code, error } = await exitCodeOf(
      runSloEvaluation(options({ policy: 'bad-policy.yaml' }), terminal().ctx),
    );
    expect(code).toBe(ExitCode.badInput);
    expect(error).toBeInstanceOf(InputError);
    expect(error?.lines()).toEqual([
      'bad-policy.yaml:6:13: Invalid option: expected one of "fail"|"warn" (at steps[0].action)',
    ]);
  });
});
