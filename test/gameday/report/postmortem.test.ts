import { describe, expect, it } from 'vitest';
import { journalSchema } from '../../../src/gameday/journal.js';
import {
  lessonHeadings,
  postmortemHeadings,
  renderGameDayReport,
} from '../../../src/gameday/report/index.js';
import { breachedJournal, heldJournal } from './fixtures.js';
import { file, rendered, row, section } from './render.js';

const held = heldJournal();
const breached = breachedJournal();

/** `87,412.99 EUR` → 8741299; `1,086` → 1086: read the figures back to compare with the journal. */
const minor = (text: string): number => Number(text.replace(/ [A-Z]{3}$/, '').replace(/[,.]/g, ''));
const count = (text: string): number => Number(text.replace(/,/g, ''));

describe('fixture journals', () => {
  it('are valid journals by the lead schema', () => {
    expect(() => journalSchema.parse(held)).not.toThrow();
    expect(() => journalSchema.parse(breached)).not.toThrow();
  });
});

describe('postmortem.md', () => {
  it.each([
    ['held', held],
    ['breached', breached],
  ])('has every heading of the SRE template, in order (%s)', async (_, journal) => {
    const md = file(await rendered(journal), 'postmortem.md');
    const lines = md.split('\n');
    const positions = postmortemHeadings.map((h) => lines.indexOf(`## ${h}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const lessons = lessonHeadings.map((h) => lines.indexOf(`### ${h}`));
    expect(lessons.every((p) => p > positions[7]! && p < positions[8]!)).toBe(true);
    expect([...lessons].sort((a, b) => a - b)).toEqual(lessons);
    expect(lines[0]).toBe(`# Postmortem: ${journal.scenario.title}`);
  });

  it('states the hypothesis and the verdict with its reasons', async () => {
    const summary = section(file(await rendered(breached), 'postmortem.md'), 'Summary');
    expect(summary).toContain(`**Hypothesis:** ${breached.scenario.hypothesis}`);
    expect(summary).toContain('**Verdict:** ❌ hypothesis refuted (exit code 1).');
    for (const reason of breached.verdict.reasons) expect(summary).toContain(`- ${reason}`);
    const heldSummary = section(file(await rendered(held), 'postmortem.md'), 'Summary');
    expect(heldSummary).toContain('✅ hypothesis held');
    expect(heldSummary).toContain('no alert fired');
  });

  it('shows impact per segment with the journal figures, money from minor units, business outcomes apart', async () => {
    const impact = section(file(await rendered(breached), 'postmortem.md'), 'Impact');
    expect(impact).toContain(
      '| Segment | Checkouts attempted | Failed | Failed share | Failed value | Error budget consumed | Business outcomes | Source |',
    );
    for (const expected of breached.impact) {
      const [segment, attempted, failed, , value, budget, business, source] = row(impact, expected.segment);
      expect(segment).toBe(expected.segment);
      expect(count(attempted!)).toBe(expected.checkoutsAttempted);
      expect(count(failed!)).toBe(expected.checkoutsFailed);
      expect(minor(value!)).toBe(expected.failedValueMinor);
      expect(value).toMatch(/ EUR$/);
      expect(Number(budget!.replace('%', '')) / 100).toBeCloseTo(expected.budgetConsumed, 4);
      expect(count(business!)).toBe(expected.businessOutcomes);
      expect(source).toBe(expected.source);
    }
    // Sorted by segment whatever the journal's order (vip comes first there).
    expect(impact.indexOf('| guest |')).toBeLessThan(impact.indexOf('| vip |'));
    expect(impact).toContain('answered, not failed');
    // Money keeps the cents: 8,741,299 minor units are 87,412.99 EUR.
    expect(row(impact, 'guest')[4]).toBe('87,412.99 EUR');
  });

  it('measures detection per source: measured vs earliest, with the unscaled equivalents', async () => {
    const detection = section(file(await rendered(breached), 'postmortem.md'), 'Detection');
    // guest builtin: fired 4 s after the fault, bound 3.92 s: 80 ms later; × 60 for the unscaled windows.
    expect(detection).toContain(
      '- builtin: fired 4 s after the fault (4 min at the unscaled windows); the earliest the rule allows is ' +
        '3.92 s after the fault (3 min 55 s at the unscaled windows); measured − earliest = 80 ms (4.8 s unscaled), within bound (tolerance 1 s).',
    );
    // guest prometheus: 9 s, 5.08 s past the bound with 2 s of tolerance: late.
    expect(detection).toContain(
      '- prometheus: fired 9 s after the fault (9 min at the unscaled windows); the earliest the rule allows is ' +
        '3.92 s after the fault (3 min 55 s at the unscaled windows); measured − earliest = 5.08 s (5 min 5 s unscaled), LATE (tolerance 2 s).',
    );
    expect(detection).toContain('fired 41 s after the fault (41 min at the unscaled windows)');
    expect(detection).toContain(
      '- builtin: did not fire; the rule allowed firing 20 s after the fault (20 min at the unscaled windows).',
    );
    expect(detection).toContain('error ratio while it was on 45%');
  });

  it('puts both sources side by side when both evaluated an alert, and only then', async () => {
    const detection = section(file(await rendered(breached), 'postmortem.md'), 'Detection');
    const guest = detection.slice(detection.indexOf('[guest]'), detection.indexOf('[vip]'));
    expect(guest).toContain('|  | builtin | prometheus |');
    expect(row(guest, 'First pending')).toEqual([
      'First pending',
      '2025-01-15 10:01:04Z',
      '2025-01-15 10:01:07Z',
    ]);
    expect(row(guest, 'First firing')).toEqual([
      'First firing',
      '2025-01-15 10:01:06Z',
      '2025-01-15 10:01:11Z',
    ]);
    expect(row(guest, 'Earliest possible')).toEqual([
      'Earliest possible',
      '2025-01-15 10:01:05.920Z',
      '2025-01-15 10:01:05.920Z',
    ]);
    expect(row(guest, 'Fault start')).toEqual([
      'Fault start',
      '2025-01-15 10:01:02Z',
      '2025-01-15 10:01:02Z',
    ]);
    const vip = detection.slice(detection.indexOf('[vip]'));
    expect(vip).not.toContain('| builtin | prometheus |');
  });

  it('says no alert fired when none did, with each rule’s reason', async () => {
    const detection = section(file(await rendered(held), 'postmortem.md'), 'Detection');
    expect(detection).toContain('No alert fired');
    expect(detection).toContain('never reached the page threshold');
    expect(detection).not.toContain('### ');
  });

  it('gives time to mitigate (fault revert) and to recover (steady state held, else the OUTAGE ENDS marker)', async () => {
    const heldResolution = section(file(await rendered(held), 'postmortem.md'), 'Resolution');
    expect(row(heldResolution, 'Mitigated (time to mitigate)')).toEqual([
      'Mitigated (time to mitigate)',
      '2025-01-15 10:03:02Z',
      '2 min',
      'fault revert',
    ]);
    expect(row(heldResolution, 'Recovered (time to recover)')).toEqual([
      'Recovered (time to recover)',
      '2025-01-15 10:04:00Z',
      '2 min 58 s',
      'steady state held at recover',
    ]);
    const resolution = section(file(await rendered(breached), 'postmortem.md'), 'Resolution');
    // The secondary vendor was reverted last, 300 ms after the primary.
    expect(row(resolution, 'Mitigated (time to mitigate)')[1]).toBe('2025-01-15 10:03:02.300Z');
    expect(row(resolution, 'Recovered (time to recover)')).toEqual([
      'Recovered (time to recover)',
      '2025-01-15 10:04:06Z',
      '3 min 4 s',
      'timeline marker OUTAGE ENDS',
    ]);
    expect(resolution).toContain('Steady state at recover (2025-01-15 10:04:00Z): NOT held.');
    expect(row(resolution, 'checkout error ratio')).toBeDefined();
  });

  it('lays the timeline out in UTC with the outage markers, in time order', async () => {
    const timeline = section(file(await rendered(breached), 'postmortem.md'), 'Timeline');
    expect(timeline).toContain('2025-01-15, all times UTC.');
    const begins = timeline.indexOf('- 10:01:02Z **OUTAGE BEGINS** (fault)');
    const mitigated = timeline.indexOf('- 10:03:02Z **MITIGATED** (fault)');
    const ends = timeline.indexOf('- 10:04:06Z **OUTAGE ENDS** (note)');
    expect(begins).toBeGreaterThan(0);
    expect(mitigated).toBeGreaterThan(begins);
    expect(ends).toBeGreaterThan(mitigated);
    const entries = timeline.split('\n').filter((l) => l.startsWith('- '));
    expect(entries).toHaveLength(breached.timeline.length);
    const times = entries.map((l) => l.slice(2, 11));
    expect([...times].sort()).toEqual(times);
  });

  it('lists the journal’s action items with kind and owner', async () => {
    const items = section(file(await rendered(breached), 'postmortem.md'), 'Action Items');
    expect(breached.actionItems.length).toBeGreaterThan(0);
    for (const item of breached.actionItems) {
      expect(row(items, item.title)).toEqual([item.title, item.kind, item.owner, item.finding]);
    }
    const kinds = items
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Action') && !l.startsWith('| ---'));
    const order = kinds.map((l) => l.split(' | ')[1]);
    // prevent, then mitigate, then detect, as the template reads.
    expect(order).toEqual(
      [...order].sort(
        (a, b) =>
          ['prevent', 'mitigate', 'detect'].indexOf(a!) - ['prevent', 'mitigate', 'detect'].indexOf(b!),
      ),
    );
    expect(section(file(await rendered(held), 'postmortem.md'), 'Action Items')).toContain('No action item');
  });

  it('leaves placeholders only where a person must write: root cause and luck', async () => {
    const md = file(await rendered(breached), 'postmortem.md');
    const placeholders = md.split('\n').filter((l) => l.includes('_To be written by'));
    expect(placeholders).toEqual([
      '_To be written by Ada Okafor: the root cause beyond the injected fault._',
      '_To be written by Grace Lindqvist: where we got lucky._',
    ]);
    expect(section(md, 'Root Causes')).toContain(placeholders[0]);
    expect(section(md, 'Lessons Learned').split('### Where we got lucky')[1]).toContain(placeholders[1]);
    // What went wrong is filled from the findings, not left to a person.
    expect(section(md, 'Lessons Learned')).toContain('- Invariant stock-conserved broke');
  });

  it('shows expectations and steady-state checks as tables, and where each figure came from', async () => {
    const md = file(await rendered(breached), 'postmortem.md');
    const support = section(md, 'Supporting information');
    for (const e of breached.expectations) {
      expect(row(support, e.description)).toEqual([
        e.description,
        e.kind,
        e.met ? '✅ yes' : '❌ no',
        e.detail,
      ]);
    }
    expect(support).toContain('![Checkout error ratio and p95 per segment](charts/error-ratio.svg)');
    expect(support).toContain('![Burn rate per tier and window](charts/burn-rate.svg)');
    expect(support).toContain(
      "builtin (shopsre's in-process evaluator); prometheus (Prometheus' own rule evaluation)",
    );
    expect(support).toContain('`http://127.0.0.1:41230/metrics`');
    expect(section(md, 'Resolution')).toContain('| Check | Segment | Value | Threshold | Passed | Detail |');
  });
});

describe('renderGameDayReport', () => {
  it('gives the same bytes for the same journal, charts included', async () => {
    for (const journal of [held, breached]) {
      const first = await renderGameDayReport(journal);
      const second = await renderGameDayReport(structuredClone(journal));
      expect(Object.keys(first)).toEqual([
        'charts/burn-rate.svg',
        'charts/error-ratio.svg',
        'junit.xml',
        'postmortem.md',
        'summary.md',
      ]);
      expect(second).toEqual(first);
    }
  });

  it('leaves the charts out when asked, and still links them', async () => {
    const files = await renderGameDayReport(held, { charts: false });
    expect(Object.keys(files)).toEqual(['junit.xml', 'postmortem.md', 'summary.md']);
    expect(file(files, 'postmortem.md')).toContain('(charts/error-ratio.svg)');
  });
});
