import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalSchema } from '../../../src/gameday/journal.js';
import { renderGameDayReport, writeGameDayReport } from '../../../src/gameday/report/index.js';
import { cardPlaceholder, redactText } from '../../../src/core/redact.js';
import { breachedJournal } from './fixtures.js';

/** Test cards from the networks' published test numbers: Luhn-valid, 16 and 15 digits. */
const VISA = '4111 1111 1111 1111';
const AMEX = '378282246310005';

/** Independent of the code under test: any run of 13–19 digits (spaces or dashes between) passing Luhn. */
function cardLike(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\d(?:[ -]?\d){12,18}/g)) {
    const digits = match[0].replace(/[ -]/g, '');
    const sum = [...digits]
      .reverse()
      .map(Number)
      .reduce((acc, d, i) => acc + (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
    if (sum % 10 === 0) found.push(match[0]);
  }
  return found;
}

describe('redactText', () => {
  it('redacts card numbers in their usual spellings, only when Luhn-valid', () => {
    expect(redactText(`card ${VISA} declined`)).toBe(`card ${cardPlaceholder} declined`);
    expect(redactText('4111-1111-1111-1111')).toBe(cardPlaceholder);
    expect(redactText(AMEX)).toBe(cardPlaceholder);
    expect(redactText('4111111111111112')).toBe('4111111111111112'); // fails Luhn
    expect(redactText('order 123456789012')).toBe('order 123456789012'); // 12 digits
    expect(redactText('at 1736935262000 ms')).toBe('at 1736935262000 ms'); // epoch ms, not Luhn-valid
  });

  it('finds a card among neighbouring digit groups', () => {
    expect(redactText(`order 12 ${VISA} 12 27`)).toBe(`order 12 ${cardPlaceholder} 12 27`);
  });

  it('redacts credentials in URLs and secret-named pairs', () => {
    expect(redactText('https://admin:hunter2@db.internal:5432/shop')).toBe(
      'https://[REDACTED]@db.internal:5432/shop',
    );
    expect(redactText('token=abc123&x=1 password: s3cret')).toBe('token=[REDACTED]&x=1 password: [REDACTED]');
  });
});

describe('a journal carrying a card number in free text', () => {
  const leaky = (() => {
    const journal = breachedJournal();
    return {
      ...journal,
      target: { ...journal.target, prometheusUrl: 'http://ops:hunter2@127.0.0.1:49090' },
      scenario: { ...journal.scenario, description: `Replays a checkout paid with ${VISA}.` },
      faults: journal.faults.map((f) => ({ ...f, error: `vendor said: card ${AMEX} unknown` })),
      expectations: journal.expectations.map((e) => ({
        ...e,
        detail: `${e.detail}; last card 4111-1111-1111-1111`,
      })),
      timeline: [
        ...journal.timeline,
        { atMs: journal.endedAtMs, kind: 'note' as const, message: `observer pasted ${VISA}` },
      ],
      invariants: { ...journal.invariants, note: `checked with card ${AMEX}` },
    };
  })();

  it('is still a valid journal (the schema cannot tell)', () => {
    expect(() => journalSchema.parse(leaky)).not.toThrow();
  });

  it('leaves no card number or password in any file of the report', async () => {
    const files = await renderGameDayReport(leaky);
    for (const [name, content] of Object.entries(files)) {
      if (!name.endsWith('.svg')) expect(cardLike(content), name).toEqual([]);
      // SVG geometry is digits and spaces: look for the numbers themselves there.
      for (const digits of ['4111111111111111', AMEX])
        expect(content.replace(/[ -]/g, '')).not.toContain(digits);
      expect(content, name).not.toContain('hunter2');
    }
    expect(files['postmortem.md']).toContain(`Replays a checkout paid with ${cardPlaceholder}.`);
    expect(files['junit.xml']).toContain(cardPlaceholder);
  });

  it('is written redacted to disk too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shopsre-report-'));
    try {
      const written = await writeGameDayReport(leaky, dir, { charts: false });
      expect(written.map((p) => p.slice(dir.length + 1))).toEqual([
        'junit.xml',
        'postmortem.md',
        'summary.md',
      ]);
      const postmortem = await readFile(join(dir, 'postmortem.md'), 'utf8');
      expect(postmortem).toBe((await renderGameDayReport(leaky, { charts: false }))['postmortem.md']);
      expect(cardLike(postmortem)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
