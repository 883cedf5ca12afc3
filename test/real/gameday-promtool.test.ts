import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPrometheus } from '../helpers/describe-with-prometheus.js';
import { runPromtool } from '../helpers/prometheus.js';
import { createBuiltinEvaluator } from '../../src/gameday/alerts/builtin-evaluator.js';
import type { AlertState, JournalAlert } from '../../src/gameday/journal.js';
import { formatDuration } from '../../src/core/duration.js';
import { loadSloFiles } from '../../src/slo/load.js';
import type { Slo } from '../../src/slo/model.js';
import { labelName } from '../../src/slo/rules/conventions.js';
import { generateRuleGroups, ruleGroupNames } from '../../src/slo/rules/generate.js';
import { labelFilter } from '../../src/slo/rules/rule-labels.js';
import { renderPrometheusRules } from '../../src/slo/rules/render-prometheus.js';
import { scaleSlos } from '../../src/slo/time-scale.js';
import {
  checkoutCounters,
  expositionAt,
  selector,
  type CheckoutTraffic,
} from '../gameday/alerts/checkout-traffic.js';
import { checkoutSlos } from '../gameday/alerts/game-day-slos.js';

/**
 * The built-in evaluator against Prometheus' own rule evaluation, through `promtool test rules`
 * (Prometheus 2.42, Debian's package): the same per-second counters are fed to the evaluator as
 * scrapes and to promtool as input series, with the generated, time-scaled rules and
 * `evaluation_interval: 1s`. Every state change the evaluator saw (pending, firing, resolved) is
 * asserted on promtool's `ALERTS` at that second and at the second before. Without promtool these
 * tests fail (test/helpers/describe-with-prometheus.ts).
 */
const second = 1000;
let workdir = '';

function promtool(...args: string[]): { status: number | null; output: string } {
  return runPromtool(args, { cwd: workdir });
}

function writeRules(name: string, slos: readonly Slo[]): string {
  const file = `${name}.rules.yaml`;
  const groups = generateRuleGroups(slos, { version: 'test', mode: 'cli-gen-prom' });
  writeFileSync(join(workdir, file), renderPrometheusRules(groups, { version: 'test' }));
  return file;
}

/** Guest: 30 % errors for a minute from 91 s, then half slow from 121 s to 170 s. VIP: 3 s of total failure at 30 s. */
const traffic: CheckoutTraffic = {
  segments: ['guest', 'vip'],
  requests: () => 20,
  errors: (segment, k) => (segment === 'guest' ? (k >= 91 && k <= 150 ? 6 : 0) : k >= 30 && k <= 32 ? 20 : 0),
  slow: (segment, k) => (segment === 'guest' && k >= 121 && k <= 170 ? 10 : 0),
};
const lastSecond = 240;

/** `count(ALERTS{…}) or vector(0)`, for one tier's alert in one state (inactive: in any state). */
function alertCount(slo: Slo, alert: JournalAlert, state: AlertState): string {
  const labels: Record<string, string> = {
    alertname: alert.alertname,
    [labelName.id]: slo.id,
    [labelName.severity]: alert.tier,
    ...(state === 'inactive' ? {} : { alertstate: state }),
  };
  return `count(ALERTS${labelFilter(labels)}) or vector(0)`;
}

/** The state before and at each transition, and the end state: what promtool must agree with. */
function checkpoints(alert: JournalAlert): { atMs: number; state: AlertState }[] {
  const points: { atMs: number; state: AlertState }[] = [];
  let state: AlertState = 'inactive';
  for (const transition of alert.transitions) {
    points.push({ atMs: transition.atMs - second, state }, transition);
    state = transition.state;
  }
  points.push({ atMs: lastSecond * second, state });
  return points;
}

describeWithPrometheus('the built-in alert evaluator against promtool', () => {
  beforeAll(() => {
    workdir = mkdtempSync(join(tmpdir(), 'shopsre-gameday-promtool-'));
  });
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  it("rules generated from the reference store's SLOs at timeScale 60 pass promtool check rules", async () => {
    const file = fileURLToPath(new URL('../../reference-store/slos.yaml', import.meta.url));
    const slos = await loadSloFiles([file], { defaultPeriodMs: 30 * 86_400_000, cwd: workdir });
    const rules = writeRules('store-scaled', scaleSlos(slos, 60));
    const { status, output } = promtool('check', 'rules', rules);
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });

  it('agrees with promtool on every pending, firing and resolved transition, to the second', () => {
    const slos = [...checkoutSlos('guest'), ...checkoutSlos('vip')];
    const series = checkoutCounters(traffic, lastSecond);
    const evaluator = createBuiltinEvaluator(slos, { evaluationIntervalMs: second });
    for (let k = 0; k <= lastSecond; k++) {
      evaluator.ingest(expositionAt(series, k), k * second);
      evaluator.evaluate(k * second);
    }
    const alerts = evaluator.alerts();
    // The scenario is only worth comparing if it moves through every state.
    const guestPage = alerts.find(
      (a) => a.slo === 'checkout-availability' && a.segment === 'guest' && a.tier === 'page',
    );
    expect(guestPage?.transitions.map((t) => t.state)).toEqual(['pending', 'firing', 'inactive']);
    expect(alerts.filter((a) => a.firstFiringMs !== undefined).length).toBeGreaterThanOrEqual(4);

    const tests = alerts.flatMap((alert) => {
      const slo = slos.find((s) => s.baseName === alert.slo && s.segment?.value === alert.segment);
      if (!slo) throw new Error(`no SLO for ${alert.slo}`);
      return checkpoints(alert).map((point) => ({
        expr: alertCount(slo, alert, point.state),
        eval_time: formatDuration(point.atMs) || '0s',
        exp_samples: [{ labels: '{}', value: point.state === 'inactive' ? 0 : 1 }],
      }));
    });
    const rules = writeRules('checkout-scaled', slos);
    const testFile = {
      rule_files: [rules],
      evaluation_interval: '1s',
      group_eval_order: ruleGroupNames(slos),
      tests: [
        {
          interval: '1s',
          input_series: series.map((s) => ({
            series: `${s.name}${selector(s.labels)}`,
            values: s.values.join(' '),
          })),
          promql_expr_test: tests,
        },
      ],
    };
    // JSON is YAML.
    writeFileSync(join(workdir, 'agreement.test.yaml'), JSON.stringify(testFile, null, 1));
    const { status, output } = promtool('test', 'rules', 'agreement.test.yaml');
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });
});
