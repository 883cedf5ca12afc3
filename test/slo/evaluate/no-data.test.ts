import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSloEvaluation, type SloEvaluationOptions } from '../../../src/commands/slo-check.js';
import { fixedClock } from '../../../src/core/clock.js';
import { ExitCode } from '../../../src/core/errors.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import { parseLoadResults } from '../../../src/loadgen/results.js';
import { githubAnnotations } from '../../../src/slo/evaluate/annotations.js';
import { evaluateSlos, type Evaluation } from '../../../src/slo/evaluate/evaluate.js';
import { renderJson, type JsonReport } from '../../../src/slo/evaluate/json-report.js';
import { renderJunit } from '../../../src/slo/evaluate/junit.js';
import { renderMarkdown } from '../../../src/slo/evaluate/markdown.js';
import { defaultPolicy, requiringData } from '../../../src/slo/evaluate/policy.js';
import { prometheusSource, type Fetch } from '../../../src/slo/evaluate/prometheus-source.js';
import { loadResultsSource } from '../../../src/slo/evaluate/results-source.js';
import { renderTable } from '../../../src/slo/evaluate/table.js';
import type { Slo } from '../../../src/slo/model.js';
import { injectMatcher, substituteWindow } from '../../../src/slo/promql.js';
import { buildSlo } from '../builders.js';
import { at, loadResults, ms, summary } from './fakes.js';

/**
 * `minEvents` applies to the verdict, on every source: below it (or with no events at all) an SLO gets
 * NO DATA, never a FAIL with a budget extrapolated from a handful of requests, and never a PASS that
 * nobody measured. NO DATA warns, and fails the gate when data is required.
 */

const period = 30 * ms.day;

function checkoutSlo(segment: string, minEvents: number | undefined): Slo {
  const base = buildSlo();
  const sli =
    base.sli.kind === 'events'
      ? {
          kind: 'events' as const,
          errorQuery: injectMatcher(base.sli.errorQuery, 'segment', segment),
          totalQuery: injectMatcher(base.sli.totalQuery, 'segment', segment),
        }
      : base.sli;
  const slo = buildSlo({
    name: `checkout-availability-${segment}`,
    baseName: 'checkout-availability',
    segment: { label: 'segment', value: segment },
    objective: 99.95,
    sli,
  });
  return minEvents === undefined || sli.kind !== 'events'
    ? slo
    : { ...slo, minEvents: { minEvents, totalQuery: sli.totalQuery } };
}

/** A Prometheus answering every window with the same error and total rates per segment. */
function prometheusWith(
  rates: Readonly<Record<string, { errors: number; total: number }>>,
  slos: readonly Slo[],
): Fetch {
  const byQuery = new Map<string, number>();
  for (const slo of slos) {
    if (slo.sli.kind !== 'events' || !slo.segment) continue;
    const rate = rates[slo.segment.value];
    if (!rate) continue;
    for (const windowMs of [
      period,
      5 * ms.minute,
      30 * ms.minute,
      ms.hour,
      2 * ms.hour,
      6 * ms.hour,
      ms.day,
      3 * ms.day,
    ]) {
      const window =
        windowMs === period
          ? '30d'
          : windowMs >= ms.day
            ? `${windowMs / ms.day}d`
            : windowMs >= ms.hour
              ? `${windowMs / ms.hour}h`
              : `${windowMs / ms.minute}m`;
      byQuery.set(substituteWindow(slo.sli.errorQuery, window), rate.errors);
      byQuery.set(substituteWindow(slo.sli.totalQuery, window), rate.total);
    }
  }
  return (_url, init) => {
    const form = new URLSearchParams(typeof init.body === 'string' ? init.body : '');
    const value = byQuery.get(form.get('query') ?? '');
    const result = value === undefined ? [] : [{ metric: {}, value: [at / 1000, String(value)] }];
    return Promise.resolve(
      new Response(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }), {
        status: 200,
      }),
    );
  };
}

describe('minEvents on the Prometheus source', () => {
  // vip: 11 checkouts over the period, 2 of them errors (the seen case's figures); guest: plenty, healthy.
  const slos = [checkoutSlo('guest', 20), checkoutSlo('vip', 20)];
  const fetch = prometheusWith(
    {
      guest: { errors: 0, total: 100_000 / (period / 1000) },
      vip: { errors: 2 / (period / 1000), total: 11 / (period / 1000) },
    },
    slos,
  );

  it('below minEvents the verdict is NO DATA, with no budget, and the gate passes with a warning', async () => {
    const evaluation = await evaluateSlos(slos, prometheusSource({ url: 'http://127.0.0.1:9', fetch }), {
      at,
      policy: defaultPolicy,
    });
    const [guest, vip] = evaluation.slos;
    expect(guest?.verdict).toBe('pass');
    expect(vip?.verdict).toBe('no-data');
    expect(vip?.noData).toEqual({ events: 11, minEvents: 20 });
    expect(vip?.reasons).toEqual([
      {
        step: 'no-data',
        action: 'warn',
        message: '11 events over its period, fewer than minEvents 20: too few to judge',
      },
    ]);
    expect(evaluation.verdict).toBe('pass');
    const json = JSON.parse(renderJson(evaluation)) as JsonReport;
    expect(json.slos[1]).toMatchObject({
      verdict: 'no-data',
      events: 11,
      minEvents: 20,
      errorBudgetRemainingPercent: null,
    });
  });

  it('with data required, the same SLO fails the gate', async () => {
    const evaluation = await evaluateSlos(slos, prometheusSource({ url: 'http://127.0.0.1:9', fetch }), {
      at,
      policy: requiringData(defaultPolicy),
    });
    expect(evaluation.slos[1]?.verdict).toBe('no-data');
    expect(evaluation.slos[1]?.reasons[0]?.action).toBe('fail');
    expect(evaluation.verdict).toBe('fail');
  });
});

/** A run whose VIP segment checked out 11 times, 2 of them 503: 81.8 %, far below 99.95 %. */
const sparseVip = loadResults({
  byStep: { checkout: summary(1_011, 2) },
  bySegment: { guest: summary(1_000, 0), vip: summary(11, 2) },
  bySegmentStep: { guest: { checkout: summary(1_000, 0) }, vip: { checkout: summary(11, 2) } },
});
const resultsFile = () => parseLoadResults('r.json', JSON.stringify(sparseVip));

describe('minEvents on the results source', () => {
  it('11 checkouts against minEvents 20 are NO DATA, not a FAIL with a four-digit negative budget', async () => {
    const slos = [checkoutSlo('guest', 20), checkoutSlo('vip', 20)];
    const evaluation = await evaluateSlos(slos, loadResultsSource(resultsFile(), slos), {
      at,
      policy: defaultPolicy,
    });
    expect(evaluation.slos.map((r) => r.verdict)).toEqual(['pass', 'no-data']);
    expect(evaluation.slos[1]?.sli).toBeCloseTo(9 / 11, 12);
    expect(evaluation.verdict).toBe('pass');
  });

  it('at minEvents the SLO is judged as before', async () => {
    const slos = [checkoutSlo('vip', 11)];
    const evaluation = await evaluateSlos(slos, loadResultsSource(resultsFile(), slos), {
      at,
      policy: defaultPolicy,
    });
    expect(evaluation.slos[0]?.verdict).toBe('fail');
  });

  it('a segment nobody measured is NO DATA even without minEvents: no data is not evidence', async () => {
    const slos = [checkoutSlo('member', undefined)];
    const evaluation = await evaluateSlos(slos, loadResultsSource(resultsFile(), slos), {
      at,
      policy: defaultPolicy,
    });
    expect(evaluation.slos[0]?.verdict).toBe('no-data');
    expect(evaluation.slos[0]?.reasons[0]?.message).toBe('no events over the run: nothing to judge');
  });
});

describe('every output format shows NO DATA', () => {
  async function evaluation(requireData: boolean): Promise<Evaluation> {
    const slos = [checkoutSlo('guest', 20), checkoutSlo('vip', 20)];
    return evaluateSlos(slos, loadResultsSource(resultsFile(), slos), {
      at,
      policy: requireData ? requiringData(defaultPolicy) : defaultPolicy,
    });
  }

  it('the table: its own verdict, no budget or burn figures, the reason and the count', async () => {
    const table = renderTable(await evaluation(false));
    const vipRow = table.split('\n').find((line) => line.includes(' vip '));
    expect(vipRow).toMatch(/ 81\.8182% \(11 events\)\s+-\s+-\s+-\s+-\s+NO DATA$/);
    expect(table).toContain(
      'WARN store-checkout-availability-vip: no-data: 11 events over the run, fewer than minEvents 20',
    );
    expect(table).toMatch(/^PASS: 2 SLOs, 1 pass, 0 warn, 0 fail, 1 no data /m);
  });

  it('JSON: the verdict, the count, and a null budget', async () => {
    const json = JSON.parse(renderJson(await evaluation(false))) as JsonReport;
    expect(json.counts).toEqual({ total: 2, pass: 1, warn: 0, fail: 0, noData: 1 });
    expect(json.slos[1]).toMatchObject({ verdict: 'no-data', errorBudgetRemainingPercent: null });
  });

  it('JUnit: skipped as a warning, a failure when data is required', async () => {
    const skipped = renderJunit(await evaluation(false));
    expect(skipped).toContain('failures="0" errors="0" skipped="1"');
    expect(skipped).toMatch(
      /<testcase [^>]*name="checkout-availability \[vip\]"[^>]*>\n\s+<skipped message="no-data: 11 events/,
    );
    const failed = renderJunit(await evaluation(true));
    expect(failed).toContain('failures="1" errors="0" skipped="0"');
    expect(failed).toMatch(
      /<failure type="SloNoData" message="no-data: 11 events over the run, fewer than minEvents 20: too few to judge \(data is required\)"/,
    );
  });

  it('Markdown: its own mark, and the headline counts it', async () => {
    const passed = renderMarkdown(await evaluation(false));
    expect(passed).toContain('### ✅ SLO check passed: 2 SLOs, 1 without enough data');
    expect(passed).toMatch(/\| store\/checkout-availability \| vip \| .* \| ❔ no data \|/);
    expect(renderMarkdown(await evaluation(true))).toContain('### ❌ SLO check failed: 1 of 2 SLOs');
  });

  it('GitHub annotations: a warning, an error when data is required', async () => {
    expect(githubAnnotations(await evaluation(false))).toEqual([
      expect.stringMatching(
        /^::warning file=test\.yaml,title=SLO store-checkout-availability-vip has too few events::no-data: 11 events/,
      ),
    ]);
    expect(githubAnnotations(await evaluation(true))).toEqual([
      expect.stringMatching(/^::error .*has too few events::/),
    ]);
  });
});

describe('slo check on a run where a segment has no data', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shopsre-no-data-'));
    await writeFile(
      join(dir, 'slos.yaml'),
      [
        'apiVersion: shopsre/v1',
        'kind: SLO',
        'service: store',
        'name: checkout-availability',
        'objective: 99',
        'sli:',
        '  events:',
        '    errorQuery: sum(rate(http_requests_total{route="/api/checkout",status_class="5xx"}[{{.window}}]))',
        '    totalQuery: sum(rate(http_requests_total{route="/api/checkout"}[{{.window}}]))',
        'minEvents: 20',
        'loadResults: { steps: [checkout] }',
        '',
      ].join('\n'),
    );
    // Nobody shopped as a member: before, its row read "no data" and PASS.
    await writeFile(join(dir, 'r.json'), JSON.stringify(sparseVip));
    await writeFile(
      join(dir, 'policy.yaml'),
      'apiVersion: shopsre/v1\nkind: BudgetPolicy\nnoData: fail\nsteps:\n  - { name: spent, when: { budgetRemainingBelow: 0 }, action: fail }\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function check(overrides: Partial<SloEvaluationOptions>) {
    const stdout = bufferWriter();
    const stderr = bufferWriter();
    const clock = fixedClock(at);
    const code = await runSloEvaluation(
      {
        paths: ['slos.yaml'],
        results: 'r.json',
        defaultSloPeriod: '30d',
        json: false,
        gate: true,
        ...overrides,
      },
      {
        io: { stdout, stderr, env: {}, cwd: dir, isTTY: false },
        clock,
        logger: createLogger({ sink: stderr, clock }),
      },
    );
    return { code, stdout: stdout.text() };
  }

  it('shows NO DATA for the member row and passes with a warning', async () => {
    const { code, stdout } = await check({});
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toMatch(
      /^store\/checkout-availability\s+member\s+99%\s+no data\s+-\s+-\s+-\s+-\s+NO DATA$/m,
    );
    expect(stdout).not.toMatch(/member.*PASS$/m);
  });

  it('--require-data fails the gate, and so does a policy with noData: fail', async () => {
    expect((await check({ requireData: true })).code).toBe(ExitCode.checkFailed);
    expect((await check({ policy: 'policy.yaml' })).code).toBe(ExitCode.checkFailed);
    // `slo report` never gates.
    expect((await check({ requireData: true, gate: false })).code).toBe(ExitCode.ok);
  });

  it('writes the verdict into the JUnit and Markdown files too', async () => {
    await check({ junit: 'slo.xml', markdown: 'summary.md' });
    expect(await readFile(join(dir, 'slo.xml'), 'utf8')).toMatch(
      /name="checkout-availability \[member\]"[^>]*>\n\s+<skipped /,
    );
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toMatch(/\| member \| .* \| ❔ no data \|/);
  });
});
