import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { run as runCli } from '../../../src/cli.js';
import { readState } from '../../../src/chaos/state-file.js';
import { bufferWriter } from '../../../src/core/io.js';
import type { Journal } from '../../../src/gameday/journal.js';
import { runGameDay, shortened, type GameDayRun } from './support.js';
import { builtBinary as bin } from '../../helpers/built-binary.js';

/**
 * Whole game days against the embedded store, time-scaled and shortened (support.ts), one after
 * the other so their timings do not compete for the two cores.
 */
const scenarios = mkdtempSync(join(tmpdir(), 'shopsre-scenarios-'));
const minute = 120_000;
let breach: GameDayRun | undefined;

afterAll(() => {
  breach = undefined;
});

function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function faultWindow(journal: Journal): { from: number; to: number } {
  const from = Math.min(...journal.faults.map((f) => f.verifiedAtMs ?? Infinity));
  const to = Math.max(...journal.faults.map((f) => f.revertedAtMs ?? -Infinity));
  return { from, to };
}

describe('game days end to end on the embedded store', () => {
  it(
    'vendor-outage: the hypothesis holds (exit 0), checkouts fail over while the primary answers 503, no fault is left',
    async () => {
      const result = await runGameDay(shortened('vendor-outage', scenarios));
      expect(result.journal.verdict.reasons).toEqual([
        'the hypothesis held: steady state before and after, every expectation met, invariants hold',
      ]);
      expect(result.code).toBe(0);
      const [fault] = result.journal.faults;
      expect(fault?.verification).toMatch(/vendor-primary: HTTP 503/);
      expect(fault?.end).toBe('completed');
      // Failover: while every call to the primary failed, the servers counted checkouts and no 5xx.
      const { from, to } = faultWindow(result.journal);
      const { t, servers } = result.journal.series;
      let checkouts = 0;
      let errors = 0;
      for (const view of Object.values(servers)) {
        t.forEach((at, i) => {
          if (at > from && at <= to) {
            checkouts += view.requests[i] ?? 0;
            errors += view.errors[i] ?? 0;
          }
        });
      }
      expect(checkouts).toBeGreaterThan(50);
      expect(errors).toBe(0);
      // The customers' view saw the same checkouts, second by second, with no error either.
      let seen = 0;
      for (const view of Object.values(result.journal.series.customers)) {
        t.forEach((at, i) => {
          if (at > from && at <= to) {
            seen += view.requests[i] ?? 0;
            expect(view.errors[i] ?? 0).toBe(0);
          }
        });
      }
      expect(Object.keys(result.journal.series.customers).sort()).toEqual(['guest', 'member', 'vip']);
      expect(Math.abs(seen - checkouts), `${seen} seen, ${checkouts} counted`).toBeLessThanOrEqual(
        Math.max(3, 0.1 * checkouts),
      );
      expect(result.journal.impact.every((i) => i.checkoutsFailed === 0)).toBe(true);
      expect((await readState(result.statePath)).faults).toEqual([]);
      expect(result.journal.invariants.items.find((i) => i.name === 'no fault left')?.passed).toBe(true);
      expect(result.stdout).toMatch(/^verdict: HELD \(exit 0\)\n/);
      expect(result.stdout).toContain('postmortem: out/postmortem.md');
    },
    minute,
  );

  it(
    'both-vendors-down: refuted (exit 1); the page alert fires no earlier than its bound and within two evaluations and a scrape of it; impact equals the books',
    async () => {
      breach = await runGameDay(shortened('both-vendors-down', scenarios), {
        keepDatabase: true,
        drill: true,
        shopsre: { command: process.execPath, args: [bin] },
      });
      const { journal } = breach;
      expect(breach.code).toBe(1);
      expect(journal.verdict.outcome).toBe('refuted');

      const pages = journal.alerts.filter(
        (a) =>
          a.source === 'builtin' && a.alertname === 'CheckoutAvailabilityBudgetBurn' && a.severity === 'page',
      );
      expect(pages.map((a) => a.segment).sort()).toEqual(['member', 'vip']);
      for (const page of pages) {
        const detection = page.detection;
        expect(detection?.firingMs, `${page.segment} fired after the fault`).toBeDefined();
        expect(detection?.earliestFiringMs, `${page.segment} has a bound`).toBeDefined();
        const late = (detection?.firingMs ?? 0) - (detection?.earliestFiringMs ?? 0);
        expect(late, `${page.segment}: fired ${late} ms after its bound`).toBeGreaterThanOrEqual(0);
        // Two evaluation intervals, plus the scrape that must carry the first errors before any rate sees them.
        expect(late, `${page.segment}: fired ${late} ms after its bound`).toBeLessThanOrEqual(3000);
        expect(detection?.measuredErrorRatio).toBeGreaterThan(0.5);
      }

      // The books, read after the run from the store's own database: failed checkouts per segment.
      const db = await PGlite.create({ dataDir: join(breach.outDir, 'database') });
      try {
        const from = new Date(journal.startedAtMs).toISOString();
        const to = new Date(journal.endedAtMs).toISOString();
        const { rows } = await db.query<{ segment: string; failed: number; value: number }>(
          `select segment, count(*)::int as failed, coalesce(sum(total_cents), 0)::int as value from (
             select segment, total_cents from abandoned_checkouts where created_at >= $1 and created_at < $2
             union all
             select segment, total_cents from orders where status = 'payment_failed'
               and failure_reason is distinct from 'declined' and created_at >= $1 and created_at < $2
           ) failed group by segment order by segment`,
          [from, to],
        );
        expect(rows.length).toBe(3);
        for (const row of rows) {
          const impact = journal.impact.find((i) => i.segment === row.segment);
          expect(impact?.checkoutsFailed, row.segment).toBe(row.failed);
          expect(impact?.failedValueMinor, row.segment).toBe(row.value);
          expect(row.failed).toBeGreaterThan(0);
        }
      } finally {
        await db.close();
      }
      const postmortem = readFileSync(join(breach.outDir, 'postmortem.md'), 'utf8');
      expect(postmortem).toContain('## Action Items');
      expect(journal.actionItems.length).toBeGreaterThan(0);
      expect((await readState(breach.statePath)).faults).toEqual([]);
      // --drill: the checkout availability runbook's read-only steps ran when the page fired, and each
      // is a timeline event after the alert's.
      const fired = journal.timeline.find(
        (e) => e.kind === 'alert' && e.message.startsWith('CheckoutAvailabilityBudgetBurn'),
      );
      const drilled = journal.timeline.filter(
        (e) => e.kind === 'runbook' && e.message.startsWith('drill checkout-availability / '),
      );
      expect(fired).toBeDefined();
      expect(drilled.length).toBeGreaterThan(2);
      expect(drilled.every((e) => e.atMs >= (fired?.atMs ?? Infinity))).toBe(true);
      // No dead command: every step ran to an answer. A step may fail its check for a reason of the
      // outage itself (the vendors' ledgers cannot be read while both vendors are down: exit 3).
      expect(
        drilled.filter((e) => /\(exit (2|4|126|127)\)| timed-out/.test(e.message)).map((e) => e.message),
      ).toEqual([]);
      expect(drilled.some((e) => /: passed \(exit 0\)/.test(e.message))).toBe(true);
      // Once per runbook and segment, though the page and the ticket both fired.
      const perSegment = drilled.filter((e) => e.message.includes('/ store-invariants ('));
      expect(perSegment.length).toBeGreaterThan(0);
      expect(perSegment.length).toBeLessThanOrEqual(3);
      // Each names the segment it was drilled for.
      const segments = perSegment.map((e) => / \((guest|member|vip)\): /.exec(e.message)?.[1]);
      expect(new Set(segments).size, segments.join()).toBe(perSegment.length);
      expect(segments.every((segment) => segment !== undefined)).toBe(true);
      expect(postmortem).toContain('drill checkout-availability / ');
      // Every alert of the breach fired within seconds, a drill each: at most two ran their steps at
      // once. A step's span is its end (the event) less its duration (to 0.1 s), narrowed by that
      // rounding so that one step following another in the same slot is not counted as overlapping.
      const spans = journal.timeline
        .filter((e) => e.kind === 'runbook' && e.message.startsWith('drill '))
        .map((e) => {
          const seconds = Number(/ in (\d+(?:\.\d)?) s: /.exec(e.message)?.[1]);
          expect(seconds, e.message).not.toBeNaN();
          return { from: e.atMs - seconds * 1000 + 100, to: e.atMs - 100 };
        });
      // One drill per runbook and segment, named when its alert fires: enough of them for the bound to bite.
      const drills = new Set(
        journal.timeline
          .filter((e) => e.kind === 'runbook')
          .flatMap((e) => /: (shopsre runbook run .*)$/.exec(e.message)?.[1] ?? []),
      );
      expect(drills.size, [...drills].join('\n')).toBeGreaterThan(2);
      const mostAtOnce = Math.max(
        ...spans.map((span) => spans.filter((other) => other.from < span.to && span.to <= other.to).length),
      );
      expect(mostAtOnce).toBeLessThanOrEqual(2);
    },
    minute,
  );

  it('gameday report renders the same files from the journal, byte for byte', async () => {
    expect(breach).toBeDefined();
    const dir = breach?.outDir ?? '';
    const again = mkdtempSync(join(tmpdir(), 'shopsre-report-'));
    const stdout = bufferWriter();
    const code = await runCli(['gameday', 'report', join(dir, 'journal.json'), '--out', again], {
      stdout,
      stderr: bufferWriter(),
      env: {},
      cwd: dir,
      isTTY: false,
    });
    expect(code).toBe(0);
    const written = filesUnder(again);
    expect([...written.keys()].sort()).toEqual(
      ['charts/burn-rate.svg', 'charts/error-ratio.svg', 'junit.xml', 'postmortem.md', 'summary.md'].sort(),
    );
    const original = filesUnder(dir);
    for (const [file, text] of written) expect(text, file).toBe(original.get(file));
  });

  it(
    'SIGINT in the middle of the faults: every fault reverted, journal and postmortem marked interrupted',
    async () => {
      const listeners: (() => void)[] = [];
      const signals = {
        on: (_: string, listener: () => void) => listeners.push(listener),
        off: () => undefined,
      };
      const file = shortened('both-vendors-down', scenarios);
      const started = Date.now();
      // The fault starts about warm-up + baseline (12 s) in; interrupt 4 s into it.
      const timer = setTimeout(() => listeners.forEach((l) => l()), 16_000);
      const result = await runGameDay(file, { signals }).finally(() => clearTimeout(timer));
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(result.journal.verdict.outcome).toBe('interrupted');
      expect(result.code).toBe(1);
      expect(result.journal.faults.length).toBe(2);
      for (const fault of result.journal.faults) {
        expect(fault.end).toBe('interrupted');
        expect(fault.revertedAtMs).toBeDefined();
      }
      expect((await readState(result.statePath)).faults).toEqual([]);
      const postmortem = readFileSync(join(result.outDir, 'postmortem.md'), 'utf8');
      expect(postmortem).toMatch(/interrupted/i);
    },
    minute,
  );
});
