import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runGameDay, shortened } from './support.js';

/**
 * A game day whose SLO file holds an SLO the in-process evaluator cannot read (its SLI uses irate(),
 * which the rules' linear form does not model), without Prometheus: its burn rates and alerts come
 * from the customers' view, through the SLO's `loadResults` mapping, labelled `results`.
 */
const scenarios = mkdtempSync(join(tmpdir(), 'shopsre-scenarios-'));
const minute = 120_000;

/** The reference store's SLOs, and one more on checkout that only the load results can count. */
function sloFileBeside(scenarioFile: string): string {
  const reference = readFileSync(new URL('../../../reference-store/slos.yaml', import.meta.url), 'utf8');
  const doc = parse(reference) as { slos: unknown[] };
  doc.slos.push({
    name: 'checkout-availability-irate',
    description: 'Checkout answers without a server error, read with irate().',
    objective: 99.5,
    sli: {
      events: {
        errorQuery: 'sum(irate(http_requests_total{route="/api/checkout",status_class="5xx"}[{{.window}}]))',
        totalQuery: 'sum(irate(http_requests_total{route="/api/checkout"}[{{.window}}]))',
      },
    },
    minEvents: 20,
    loadResults: { steps: ['checkout'] },
    alerting: { name: 'CheckoutIrateBudgetBurn', page: { severity: 'page' }, ticket: { severity: 'ticket' } },
  });
  const file = join(scenarios, 'irate-slos.yaml');
  writeFileSync(file, stringify(doc));
  const scenario = parse(readFileSync(scenarioFile, 'utf8')) as Record<string, unknown>;
  // Relative to the scenario file, as a scenario names its SLO file.
  writeFileSync(scenarioFile, stringify({ ...scenario, slos: 'irate-slos.yaml' }));
  return file;
}

describe("an SLO the in-process evaluator cannot read, from the customers' view", () => {
  it(
    'both-vendors-down without Prometheus: results burn rates and a results page alert that fires after the fault',
    async () => {
      const scenario = shortened('both-vendors-down', scenarios);
      sloFileBeside(scenario);
      const { journal, code, outDir } = await runGameDay(scenario);
      expect([0, 1]).toContain(code);
      expect(journal.target.prometheusUrl).toBeUndefined();

      // Every segment's expansion is listed, with why and who covered it.
      const listed = (journal.notEvaluable ?? []).filter((n) => n.slo === 'checkout-availability-irate');
      expect(listed.map((n) => n.segment).sort()).toEqual(['guest', 'member', 'vip']);
      for (const n of listed) {
        expect(n.reason).toMatch(/irate/);
        expect(n.sources).toEqual(['results']);
      }

      // Burn rates from the results, none from the built-in evaluator, for this SLO only.
      const burns = journal.series.burnRates.filter((b) => b.slo === 'checkout-availability-irate');
      expect(burns.length).toBeGreaterThan(0);
      expect(new Set(burns.map((b) => b.source))).toEqual(new Set(['results']));
      const fault = journal.faults[0];
      const faultAt = fault?.injectedAtMs ?? 0;
      const revertedAt = fault?.revertedAtMs ?? journal.endedAtMs;
      const { t } = journal.series;
      const during = (values: readonly (number | null)[]): number[] =>
        t.flatMap((at, i) => (at > faultAt && at <= revertedAt && values[i] != null ? [values[i] ?? 0] : []));
      const shortest = Math.min(...burns.map((b) => b.windowMs));
      const memberShort = burns.find((b) => b.segment === 'member' && b.windowMs === shortest);
      expect(Math.max(...during(memberShort?.values ?? []))).toBeGreaterThan(14.4);

      // Its page alert fired from the results, after the fault began.
      const pages = journal.alerts.filter(
        (a) => a.alertname === 'CheckoutIrateBudgetBurn' && a.tier === 'page' && a.segment === 'member',
      );
      expect(pages.map((a) => a.source)).toEqual(['results']);
      const firing = pages[0]?.transitions.find((tr) => tr.state === 'firing' && tr.atMs >= faultAt);
      expect(firing).toBeDefined();
      expect((firing?.atMs ?? 0) - faultAt).toBeLessThan(15_000);

      // The reference SLOs are still the built-in evaluator's, and nothing else is listed.
      expect(
        journal.alerts.some(
          (a) => a.alertname === 'CheckoutAvailabilityBudgetBurn' && a.source === 'builtin',
        ),
      ).toBe(true);
      expect((journal.notEvaluable ?? []).filter((n) => n.slo !== 'checkout-availability-irate')).toEqual([]);

      const postmortem = readFileSync(join(outDir, 'postmortem.md'), 'utf8');
      expect(postmortem).toContain('- SLO `checkout-availability-irate` [member]: not evaluated in process');
    },
    2 * minute,
  );
});
