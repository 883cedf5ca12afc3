import { describe, expect, it } from 'vitest';
import { githubAnnotations } from '../../../src/slo/evaluate/annotations.js';
import { evaluateSlos, type Evaluation } from '../../../src/slo/evaluate/evaluate.js';
import { renderJson, type JsonReport } from '../../../src/slo/evaluate/json-report.js';
import { renderJunit } from '../../../src/slo/evaluate/junit.js';
import { renderMarkdown } from '../../../src/slo/evaluate/markdown.js';
import { defaultPolicy, type BudgetPolicy } from '../../../src/slo/evaluate/policy.js';
import { renderTable } from '../../../src/slo/evaluate/table.js';
import type { Slo } from '../../../src/slo/model.js';
import { buildSlo } from '../builders.js';
import { at, fakeSource, ms } from './fakes.js';

const period = 30 * ms.day;

function segmentSlo(segment: string, file = 'slos/checkout.yaml'): Slo {
  return buildSlo({
    name: `checkout-availability-${segment}`,
    baseName: 'checkout-availability',
    segment: { label: 'segment', value: segment },
    source: { format: 'shopsre/v1', file },
  });
}

/** guest: half its budget rate everywhere. vip: budget overspent and burning 20× in every window. */
async function twoSegments(
  policy: BudgetPolicy = defaultPolicy,
  fixedWindowMs?: number,
): Promise<Evaluation> {
  const guest = segmentSlo('guest');
  const vip = segmentSlo('vip');
  const source = fakeSource(
    {},
    {
      fallback: { errorRatio: 0.0005, events: 100_000 },
      bySlo: {
        [vip.id]: Object.fromEntries(
          [period, 5 * ms.minute, 30 * ms.minute, ms.hour, 2 * ms.hour, 6 * ms.hour, ms.day, 3 * ms.day].map(
            (w) => [w, { errorRatio: w === period ? 0.002 : 0.02, events: 50_000 }],
          ),
        ),
      },
      ...(fixedWindowMs === undefined ? {} : { fixedWindowMs }),
    },
  );
  return evaluateSlos([guest, vip], source, { at, policy });
}

describe('table', () => {
  it('prints aligned columns, the reasons, and a summary line', async () => {
    expect(renderTable(await twoSegments())).toBe(
      [
        'SLO                          SEGMENT  OBJECTIVE      SLI  BUDGET LEFT  PAGE BURN                 TICKET BURN               VERDICT',
        'store/checkout-availability  guest        99.9%  99.950%        50.0%  1h=0.50 6h=0.50           1d=0.50 3d=0.50           PASS',
        'store/checkout-availability  vip          99.9%  99.800%      -100.0%  1h=20.00 6h=20.00 FIRING  1d=20.00 3d=20.00 FIRING  FAIL',
        '',
        'FAIL store-checkout-availability-vip: budget-exhausted: error budget remaining -100.0% is below 0%',
        'FAIL store-checkout-availability-vip: page-burn: page tier (severity page) is firing: burn rate 20.00 over 5m and 20.00 over 1h, above 14.40',
        '',
        'FAIL: 2 SLOs, 1 pass, 0 warn, 1 fail, 0 no data (at 2025-03-01T12:00:00.000Z, from fake://prometheus)',
        '',
      ].join('\n'),
    );
  });

  it('a results file shows one run window per tier and says what the windows mean', async () => {
    const table = renderTable(await twoSegments(defaultPolicy, 10 * ms.minute));
    expect(table).toContain('run=20.00 FIRING');
    expect(table).toContain(
      'page tier (severity page) is firing: burn rate 20.00 over run and 20.00 over run',
    );
    expect(table.trimEnd().split('\n').at(-1)).toBe(
      'The results cover only the load run (10m): the period and every alert window are measured over the run.',
    );
  });
});

describe('JSON', () => {
  it('has a stable, documented shape with every key present', async () => {
    const report = JSON.parse(renderJson(await twoSegments())) as JsonReport;
    expect(report).toMatchObject({
      apiVersion: 'shopsre/v1',
      kind: 'SloEvaluation',
      evaluatedAt: '2025-03-01T12:00:00.000Z',
      source: { origin: 'fake://prometheus', measuredWindowMs: null, notes: [] },
      verdict: 'fail',
      counts: { total: 2, pass: 1, warn: 0, fail: 1, noData: 0 },
    });
    const vip = report.slos[1];
    expect(vip).toMatchObject({
      id: 'store-checkout-availability-vip',
      service: 'store',
      slo: 'checkout-availability',
      name: 'checkout-availability-vip',
      segment: 'vip',
      file: 'slos/checkout.yaml',
      objectivePercent: 99.9,
      period: '30d',
      periodMs: period,
      errorRatio: 0.002,
      events: 50_000,
      verdict: 'fail',
    });
    expect(vip?.sliPercent).toBeCloseTo(99.8, 10);
    expect(vip?.errorBudgetRemainingPercent).toBeCloseTo(-100, 10);
    expect(vip?.reasons.map((r) => r.step)).toEqual(['budget-exhausted', 'page-burn']);
    expect(Object.keys(vip ?? {})).toEqual([
      'id',
      'service',
      'slo',
      'name',
      'segment',
      'file',
      'objectivePercent',
      'period',
      'periodMs',
      'errorRatio',
      'sliPercent',
      'events',
      'minEvents',
      'errorBudgetRemainingPercent',
      'businessOutcomes',
      'tiers',
      'verdict',
      'reasons',
    ]);
    const page = vip?.tiers[0];
    expect(page).toMatchObject({ name: 'page', severity: 'page', enabled: true, firing: true });
    expect(page?.quick).toMatchObject({
      firing: true,
      belowMinEvents: false,
      short: { window: '5m', windowMs: 300_000, events: 50_000 },
    });
    expect(page?.quick.threshold).toBeCloseTo(14.4, 10);
    expect(page?.quick.long.burnRate).toBeCloseTo(20, 10);
  });

  it('records the run duration as the measured window of a results file', async () => {
    const report = JSON.parse(renderJson(await twoSegments(defaultPolicy, 10 * ms.minute))) as JsonReport;
    expect(report.source.measuredWindowMs).toBe(600_000);
  });
});

/** A strict enough XML 1.0 check for generated reports: one root, balanced tags, quoted attributes, escaped text. */
function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const body = text.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  if (body === text) problems.push('no XML declaration');
  const entity = '&(?:amp|lt|gt|quot|apos|#\\d+);';
  const attr = `\\s+[A-Za-z_][\\w.-]*="(?:[^"<&]|${entity})*"`;
  const tag = new RegExp(`^<(/?)([A-Za-z_][\\w.-]*)((?:${attr})*)\\s*(/?)>`);
  const textRun = new RegExp(`^(?:[^<&]|${entity})+`);
  const stack: string[] = [];
  let roots = 0;
  let rest = body.trimEnd();
  while (rest.length > 0) {
    const t = tag.exec(rest);
    if (t) {
      const [whole, closing, name = '', , selfClosing] = t;
      if (closing) {
        if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
      } else {
        if (stack.length === 0) roots += 1;
        if (!selfClosing) stack.push(name);
      }
      rest = rest.slice(whole.length);
      continue;
    }
    const run = textRun.exec(rest);
    if (!run) {
      problems.push(`cannot parse at: ${rest.slice(0, 40)}`);
      break;
    }
    if (stack.length === 0 && run[0].trim() !== '') problems.push('text outside the root');
    rest = rest.slice(run[0].length);
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

describe('JUnit XML', () => {
  it('the checker used here rejects broken XML', () => {
    expect(xmlProblems('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a>')).not.toEqual([]);
    expect(xmlProblems('<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 & 2"></a>')).not.toEqual([]);
    expect(xmlProblems('<?xml version="1.0" encoding="UTF-8"?>\n<a>1 < 2</a>')).not.toEqual([]);
  });

  it('is well formed, with one testcase per SLO and segment and a failure element on fail', async () => {
    const xml = renderJunit(await twoSegments());
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('<testsuites name="shopsre slo check" tests="2" failures="1" errors="0" time="0">');
    expect(xml).toContain(
      '<testsuite name="store" tests="2" failures="1" errors="0" skipped="0" timestamp="2025-03-01T12:00:00" time="0">',
    );
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain(
      '<testcase classname="store.checkout-availability" name="checkout-availability [guest]" time="0">',
    );
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toMatch(
      /<testcase classname="store.checkout-availability" name="checkout-availability \[vip\]" time="0">\n {6}<failure type="SloBudgetPolicy" message="budget-exhausted: error budget remaining -100.0% is below 0%; page-burn: /,
    );
  });

  it('escapes user text in attributes and content, keeps messages on one line and warnings in system-out', async () => {
    const policy: BudgetPolicy = {
      noData: 'warn',
      steps: [
        {
          name: 'a&b',
          when: { budgetRemainingBelow: 0 },
          action: 'fail',
          message: 'say "no" to <releases>\nand\tmore',
        },
        { name: 'low', when: { budgetRemainingBelow: 60 }, action: 'warn' },
      ],
    };
    const xml = renderJunit(await twoSegments(policy));
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('message="a&amp;b: say &quot;no&quot; to &lt;releases&gt; and more (error budget');
    expect(xml).toContain('<system-out>warning low: error budget remaining 50.0% is below 60%');
  });
});

describe('Markdown', () => {
  it('gives a headline, a table row per SLO and segment, and the reasons', async () => {
    const lines = renderMarkdown(await twoSegments()).split('\n');
    expect(lines.slice(0, 8)).toEqual([
      '### ❌ SLO check failed: 1 of 2 SLOs',
      '',
      'Evaluated at 2025-03-01T12:00:00.000Z from `fake://prometheus`.',
      '',
      '| SLO | Segment | Objective | SLI | Budget left | Page burn | Ticket burn | Verdict |',
      '| --- | --- | ---: | ---: | ---: | --- | --- | --- |',
      '| store/checkout-availability | guest | 99.9% | 99.950% | 50.0% | 1h=0.50 6h=0.50 | 1d=0.50 3d=0.50 | ✅ pass |',
      '| store/checkout-availability | vip | 99.9% | 99.800% | -100.0% | 1h=20.00 6h=20.00 FIRING | 1d=20.00 3d=20.00 FIRING | ❌ fail |',
    ]);
    expect(lines[9]).toBe(
      '- ❌ fail `store-checkout-availability-vip` budget-exhausted: error budget remaining -100.0% is below 0%',
    );
  });

  it('keeps a pipe or a newline in a message from breaking the table', async () => {
    const policy: BudgetPolicy = {
      noData: 'warn',
      steps: [{ name: 'warn', when: { budgetRemainingBelow: 60 }, action: 'warn', message: 'a | b\nc' }],
    };
    const markdown = renderMarkdown(await twoSegments(policy));
    expect(markdown).toContain('### ✅ SLO check passed: 2 SLOs, 2 with warnings');
    expect(markdown).toContain('warn: a \\| b c (error budget remaining 50.0% is below 60%)');
  });
});

describe('GitHub annotations', () => {
  it('one error line per failing step, pinned to the spec file, with % escaped as the runner unescapes it', async () => {
    expect(githubAnnotations(await twoSegments())).toEqual([
      '::error file=slos/checkout.yaml,title=SLO store-checkout-availability-vip failed::budget-exhausted: error budget remaining -100.0%25 is below 0%25',
      '::error file=slos/checkout.yaml,title=SLO store-checkout-availability-vip failed::page-burn: page tier (severity page) is firing: burn rate 20.00 over 5m and 20.00 over 1h, above 14.40',
    ]);
  });

  it('warnings use ::warning, and newlines, % , and : are escaped as the runner expects', async () => {
    const policy: BudgetPolicy = {
      noData: 'warn',
      steps: [
        {
          name: 'low\n1',
          when: { budgetRemainingBelow: 60 },
          segments: ['guest'],
          action: 'warn',
          message: '50%\nleft',
        },
      ],
    };
    const evaluation = await twoSegments(policy);
    const guest = evaluation.slos[0];
    const renamed: Evaluation = {
      ...evaluation,
      slos: guest
        ? [{ ...guest, slo: { ...guest.slo, source: { ...guest.slo.source, file: 'a,b:c.yaml' } } }]
        : [],
    };
    expect(githubAnnotations(renamed)).toEqual([
      '::warning file=a%2Cb%3Ac.yaml,title=SLO store-checkout-availability-guest warning::low%0A1: 50%25 left (error budget remaining 50.0%25 is below 60%25)',
    ]);
  });
});
