import { describe, expect, it } from 'vitest';
import { breachedJournal, heldJournal } from './fixtures.js';
import { file, rendered, row } from './render.js';
import { descendants, parseXml, type XmlElement } from './xml.js';

const held = heldJournal();
const breached = breachedJournal();

const cases = (root: XmlElement): XmlElement[] => descendants(root).filter((e) => e.name === 'testcase');
const child = (element: XmlElement, name: string): XmlElement | undefined =>
  element.children.find((c) => c.name === name);

describe('junit.xml', () => {
  it('has one testcase per expectation, steady-state check and invariant, failures carrying the detail', async () => {
    const root = parseXml(file(await rendered(breached), 'junit.xml'));
    expect(root.name).toBe('testsuites');
    const all = cases(root);
    // 3 expectations + 3 baseline and 3 recover checks + 2 invariants.
    expect(all).toHaveLength(11);
    expect(root.attributes).toMatchObject({ tests: '11', failures: '4', errors: '0', skipped: '0' });
    const failed = all.filter((c) => child(c, 'failure') !== undefined);
    expect(failed.map((c) => c.attributes.name)).toEqual([
      'No page alert fires',
      'Checkout error ratio stays below 1% in every segment',
      'recover: checkout error ratio [guest]',
      'stock-conserved',
    ]);
    expect(child(failed[3]!, 'failure')!.attributes.message).toBe(
      'SKU-000042: stock is 3 lower than orders account for',
    );
    expect(child(failed[2]!, 'failure')!.attributes.message).toBe(
      '2% > 1%: retries of failed checkouts still in flight',
    );
    const suites = descendants(root).filter((e) => e.name === 'testsuite');
    expect(suites.map((s) => [s.attributes.name, s.attributes.tests, s.attributes.failures])).toEqual([
      ['vendor-outage-both.expectations', '3', '2'],
      ['vendor-outage-both.steady-state', '6', '1'],
      ['vendor-outage-both.invariants', '2', '1'],
    ]);
    expect(suites[0]!.attributes.timestamp).toBe('2025-01-15T10:00:00');
  });

  it('passes every case of the held run', async () => {
    const root = parseXml(file(await rendered(held), 'junit.xml'));
    // 3 expectations + 2 × 6 checks + 4 invariants.
    expect(cases(root)).toHaveLength(19);
    expect(root.attributes.failures).toBe('0');
  });

  it('reports invariants that were not checked as skipped, not as passed', async () => {
    const journal = {
      ...held,
      invariants: { checked: false, passed: false, items: [], note: 'store is external' },
    };
    const { renderGameDayReport } = await import('../../../src/gameday/report/index.js');
    const root = parseXml(file(await renderGameDayReport(journal, { charts: false }), 'junit.xml'));
    const skipped = cases(root).filter((c) => child(c, 'skipped') !== undefined);
    expect(skipped).toHaveLength(1);
    expect(child(skipped[0]!, 'skipped')!.attributes.message).toBe('store is external');
    expect(root.attributes.skipped).toBe('1');
  });
});

describe('summary.md', () => {
  it('gives the verdict, expectations, detection against the bound and impact', async () => {
    const md = file(await rendered(breached), 'summary.md');
    expect(md.split('\n')[0]).toBe('### ❌ hypothesis refuted: game day `vendor-outage-both`');
    expect(row(md, 'No page alert fires')).toEqual([
      'No page alert fires',
      '❌ no',
      'CheckoutAvailabilityPage fired for guest and vip',
    ]);
    const alerts = md.split('\n').filter((l) => l.startsWith('| `CheckoutAvailability'));
    expect(alerts.map((l) => l.split(' | ').slice(1, 3).concat(l.split(' | ').slice(-1)))).toEqual([
      ['guest', 'builtin', '✅ within bound |'],
      ['guest', 'prometheus', '❌ late |'],
      ['vip', 'builtin', '✅ within bound |'],
      ['member', 'builtin', '❌ missed |'],
    ]);
    expect(alerts[1]).toContain(
      '| 9 s (9 min unscaled) | 3.92 s (3 min 55 s unscaled) | 5.08 s (5 min 5 s unscaled) |',
    );
    expect(row(md, 'guest')).toEqual(['guest', '5,980', '1,086', '87,412.99 EUR', '454%', '44']);
  });

  it('is short when the hypothesis held', async () => {
    const md = file(await rendered(held), 'summary.md');
    expect(md.split('\n')[0]).toBe('### ✅ hypothesis held: game day `vendor-outage`');
    expect(md).toContain('No alert fired, and none was due.');
    expect(md.split('\n').length).toBeLessThan(30);
  });
});
