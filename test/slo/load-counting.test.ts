import { describe, expect, it } from 'vitest';
import { deriveCounting } from '../../src/slo/load-counting.js';
import type { LoadCounting, Sli, Slo } from '../../src/slo/model.js';
import { findingsOf, loadFromMemory } from './helpers.js';

const here = { file: 'slos.yaml', line: 1, col: 1 };

function events(errorQuery: string, totalQuery = 'sum(rate(http_requests_total[{{.window}}]))'): Sli {
  return { kind: 'events', errorQuery, totalQuery };
}

const rate = (selector: string) => `sum(rate(http_requests_total{${selector}}[{{.window}}]))`;

/** `line:col` of the first occurrence of `needle` in `text`, 1-based as findings print it. */
function at(text: string, needle: string): string {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  return `${line + 1}:${(lines[line] ?? '').indexOf(needle) + 1}`;
}

function countingOf(slo: Slo | undefined): LoadCounting | undefined {
  return slo?.loadResults.kind === 'availability' ? slo.loadResults.counting : undefined;
}

const sloFile = (sli: string, loadResults = '') =>
  [
    'apiVersion: shopsre/v1',
    'kind: SLO',
    'service: store',
    'name: checkout',
    'segmented: false',
    'objective: 99.5',
    'sli:',
    sli,
    loadResults,
    '',
  ].join('\n');

describe('which load-run outcomes an SLI counts as bad, read from its queries', () => {
  it('status_class="5xx" counts 5xx answers, timeouts and connection errors; every request is an event', () => {
    expect(deriveCounting(events(rate('route="/api/checkout",status_class="5xx"')), here)).toEqual({
      kind: 'outcomes',
      origin: 'derived',
      bad: { status: ['5xx'], errors: ['timeout', 'connection'] },
      events: 'all',
    });
  });

  it('a code regex counts the codes it matches, anchored as Prometheus anchors it', () => {
    const counting = deriveCounting(events(rate('code=~"5..|429"')), here);
    expect(counting).toMatchObject({ bad: { status: [429, '5xx'], errors: ['timeout', 'connection'] } });
    // "50." is anchored: 500 to 509 only, not 5000 or 1500.
    const narrow = deriveCounting(events(rate('code=~"50."')), here);
    expect(narrow).toMatchObject({ bad: { status: [500, 501, 502, 503, 504, 505, 506, 507, 508, 509] } });
  });

  it('402, 409 and 422 are business outcomes, not unavailability: a 4xx query counts them, no answer does not', () => {
    const counting = deriveCounting(events(rate('code=~"402|409|422"')), here);
    expect(counting).toMatchObject({ bad: { status: [402, 409, 422], errors: [] } });
  });

  it('negative matchers take the complement; several matchers on one selector all apply', () => {
    const counting = deriveCounting(events(rate('status_class!~"2xx|3xx",code!="404"')), here);
    expect(counting).toMatchObject({ bad: { errors: ['timeout', 'connection'] } });
    const status = counting.kind === 'outcomes' ? counting.bad.status : [];
    expect(status).toContain('1xx');
    expect(status).toContain('5xx');
    expect(status).toContain(400);
    expect(status).not.toContain(404);
    expect(status).not.toContain('4xx');
  });

  it('selectors summed with + or joined with or add up; the total query limits the events', () => {
    const counting = deriveCounting(
      events(`${rate('code="503"')} + ${rate('code="429"')} or vector(0)`, rate('status_class=~"2xx|5xx"')),
      here,
    );
    expect(counting).toEqual({
      kind: 'outcomes',
      origin: 'derived',
      bad: { status: [429, 503], errors: ['timeout', 'connection'] },
      events: { status: ['2xx', '5xx'], errors: ['timeout', 'connection'] },
    });
  });

  it('cannot be read from an error query without a status matcher, a difference, or a raw ratio', () => {
    const outcomeQuery = deriveCounting(events(rate('outcome="payment_unknown"')), here);
    expect(outcomeQuery).toMatchObject({ kind: 'unknown', location: here });
    expect(outcomeQuery.kind === 'unknown' ? outcomeQuery.reason : '').toMatch(
      /^the error query has no status matcher/,
    );
    expect(deriveCounting(events(`${rate('')} - ${rate('status_class!="5xx"')}`), here)).toMatchObject({
      kind: 'unknown',
      reason: 'the error query combines series with "-", which cannot be read as a set of statuses',
    });
    expect(
      deriveCounting({ kind: 'raw', errorRatioQuery: `${rate('code="500"')} / ${rate('')}` }, here),
    ).toMatchObject({
      kind: 'unknown',
      reason: 'a raw error-ratio query counts no events by status',
    });
  });
});

describe('loadResults in a shopsre/v1 file', () => {
  const outcomeSli = [
    '  events:',
    '    errorQuery: sum(rate(checkout_outcomes_total{outcome="unavailable"}[{{.window}}]))',
    '    totalQuery: sum(rate(checkout_outcomes_total[{{.window}}]))',
  ].join('\n');

  it('an SLO that names its load steps but whose query cannot say what is bad is a finding at loadResults', async () => {
    const text = sloFile(outcomeSli, 'loadResults: { steps: [checkout] }');
    expect(await findingsOf({ 'slos.yaml': text })).toEqual([
      `slos.yaml:${at(text, '{ steps')}: cannot tell which load-run outcomes are bad: the error query has no status matcher ` +
        '(status_class, code), so it says nothing of which answers are bad; say it with loadResults.bad, ' +
        'e.g. bad: { status: [5xx], errors: [timeout, connection] }',
    ]);
  });

  it('an explicit bad (and events) is taken as written', async () => {
    const [slo] = await loadFromMemory({
      'slos.yaml': sloFile(
        outcomeSli,
        'loadResults: { steps: [checkout], bad: { status: [503], errors: [timeout] }, events: { status: [201, 402, 503] } }',
      ),
    });
    expect(countingOf(slo)).toEqual({
      kind: 'outcomes',
      origin: 'explicit',
      bad: { status: [503], errors: ['timeout'] },
      events: { status: [201, 402, 503], errors: [] },
    });
  });

  it('without loadResults, an unreadable query is remembered with its place, for when results are evaluated', async () => {
    const text = sloFile(outcomeSli);
    const [slo] = await loadFromMemory({ 'slos.yaml': text });
    const [line, col] = at(text, 'errorQuery').split(':').map(Number);
    // The events block, whose first key is the error query.
    expect(countingOf(slo)).toMatchObject({ kind: 'unknown', location: { file: 'slos.yaml', line, col } });
  });

  it('bad on a latency SLI, or a bad that names nothing, is a finding', async () => {
    const latency = ['  latency:', '    metric: http_request_duration_seconds', "    le: '0.5'"].join('\n');
    const latencyText = sloFile(latency, 'loadResults: { bad: { status: [5xx] } }');
    expect(await findingsOf({ 'slos.yaml': latencyText })).toEqual([
      `slos.yaml:${at(latencyText, '{ status')}: loadResults.bad does not apply to a latency SLI: its bad events are the requests slower than le`,
    ]);
    const fiveXx = [
      '  events:',
      `    errorQuery: ${rate('status_class="5xx"')}`,
      `    totalQuery: ${rate('')}`,
    ].join('\n');
    const emptyText = sloFile(fiveXx, 'loadResults: { bad: {} }');
    expect(await findingsOf({ 'slos.yaml': emptyText })).toEqual([
      `slos.yaml:${at(emptyText, '{} }')}: loadResults.bad names no status and no error kind`,
    ]);
  });

  it('a bad status that is neither a class nor a code is a shape finding', async () => {
    const fiveXx = [
      '  events:',
      `    errorQuery: ${rate('status_class="5xx"')}`,
      `    totalQuery: ${rate('')}`,
    ].join('\n');
    const text = sloFile(fiveXx, 'loadResults: { bad: { status: [5XX] } }');
    expect(await findingsOf({ 'slos.yaml': text })).toEqual([
      `slos.yaml:${at(text, '5XX')}: expected a status class such as 5xx, or a status code from 100 to 599 such as 409 (at loadResults.bad.status[0])`,
    ]);
  });

  it('the reference store SLOs all say what is bad: derived for status SLIs, written out for payment-success', async () => {
    const { loadSloFiles } = await import('../../src/slo/load.js');
    const slos = await loadSloFiles(['reference-store/slos.yaml'], {
      defaultPeriodMs: 30 * 86_400_000,
      cwd: process.cwd(),
    });
    const origins = new Map(
      slos.flatMap((slo) => {
        const counting = countingOf(slo);
        return counting ? [[slo.baseName, counting.kind === 'outcomes' ? counting.origin : 'unknown']] : [];
      }),
    );
    expect(Object.fromEntries(origins)).toEqual({
      'checkout-availability': 'derived',
      'payment-success': 'explicit',
      'catalog-availability': 'derived',
    });
  });
});
