import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { statePathOf } from '../chaos/state-path.js';
import { abortableSleep, type Clock } from '../core/clock.js';
import { EnvironmentError, InputError, UsageError, type Finding } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { packageFile } from '../core/package-files.js';
import { cryptoRandom, mintRunId } from '../core/run-id.js';
import { randomHex } from '../core/rng.js';
import { loadSloFiles } from '../slo/load.js';
import type { Slo } from '../slo/model.js';
import { generateRuleGroups } from '../slo/rules/generate.js';
import { renderPrometheusRules } from '../slo/rules/render-prometheus.js';
import { scaleSlos } from '../slo/time-scale.js';
import { version } from '../version.js';
import { localFaultControl } from './adapters/chaos-control.js';
import { startEmbeddedTarget } from './adapters/embedded-target.js';
import { checkExternalTarget } from './adapters/external-target.js';
import { checkExistingPrometheus } from './prometheus/existing-prometheus.js';
import { adminTokenOption } from '../../reference-store/src/http/admin-access.js';
import { checkTargets, lookupAll, type LookupAll } from '../loadgen/safety.js';
import { concurrencyLimit } from '../core/concurrency.js';
import { gameDayLoadPlan, inProcessLoad } from './adapters/load-control.js';
import { metricsObserver, type PrometheusReader } from './adapters/metrics-observer.js';
import { earliestFiring } from './alerts/earliest-firing.js';
import { compileSli } from './alerts/sli-query.js';
import type { Journal } from './journal.js';
import { readPrometheusAlerts } from './prometheus/read-alerts.js';
import { readPrometheusBurnRates } from './prometheus/read-burn-rates.js';
import { startPrometheus } from './prometheus/start-prometheus.js';
import { deriveActionItems, writeGameDayReport } from './report/index.js';
import { runGameDay } from './runner/run-game-day.js';
import type { Assessors } from './runner/assess.js';
import type { RunbookHook, RunnerEvents } from './runner/ports.js';
import { loadRunbooks } from '../runbook/load-runbooks.js';
import { runbookForAlert } from '../runbook/lookup.js';
import type { Runbook } from '../runbook/model.js';
import { runReadOnlySteps } from '../runbook/run-readonly.js';
import type { ShopsreInvocation } from '../runbook/shopsre-shim.js';
import type { Scenario } from './scenario/scenario.js';

export interface GameDaySetup {
  readonly scenario: Scenario;
  /** Path of the scenario file, for an SLO file named relative to it. */
  readonly scenarioPath: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Where the journal and report go; default `gamedays/<UTC time>-<scenario>/` under cwd. */
  readonly outDir?: string;
  /**
   * `auto`: start a real Prometheus when the binary is installed; `required`: exit 3 without one;
   * `off`; `{ url }`: one the user runs, which already scrapes the target and runs these rules.
   */
  readonly prometheus: 'auto' | 'required' | 'off' | { readonly url: string };
  /** Hosts beyond loopback the target may be on (`--allow-target`, repeatable). */
  readonly allowTarget?: readonly string[];
  /** Name resolution for the loopback check; default the system resolver. */
  readonly lookup?: LookupAll;
  /** Keep the embedded database in `<out>/database` after the run, to read the store's books. */
  readonly keepDatabase?: boolean;
  /** The chaos state file; default `.shopsre/state.json` under cwd. */
  readonly statePath?: string;
  readonly events?: RunnerEvents;
  /** Run the read-only steps of an alert's runbook when it fires, into the timeline (`--drill`). */
  readonly drill?: boolean;
  /** What `shopsre` in a drilled runbook step runs; default this process's node and script. */
  readonly shopsre?: ShopsreInvocation;
  /** Process CPU in microseconds: when given, the runner's own CPU is measured (benchmarks). */
  readonly cpuMicros?: () => number;
}

export interface GameDayOutcome {
  readonly journal: Journal;
  readonly outDir: string;
  readonly files: readonly string[];
  /** With `cpuMicros`: CPU spent by the observers (scrape parsing, rule evaluation, views) and the report. */
  readonly runnerCpuMicros?: number;
  /** The report's share of it (charts included). */
  readonly reportCpuMicros?: number;
}

/** Scrape and rule evaluation intervals of an alert's source: 1 s in process and in our Prometheus. */
interface Intervals {
  readonly evaluationIntervalMs: number;
  readonly scrapeIntervalMs: number;
}
const everySecond: Intervals = { evaluationIntervalMs: 1000, scrapeIntervalMs: 1000 };

/** Every figure in the journal is measured; these are the checks that make it judge a run. */
const assessorsFor = (prometheusIntervals: Intervals): Assessors => ({
  detection({ alert, slo, fault, errorRatio, timeScale, trafficSinceMs, eventsPerSecond }) {
    const tier = slo?.alerting.tiers.find((t) => t.name === alert.tier);
    if (!slo || !tier || fault.injectedAtMs === undefined) return undefined;
    // The bound is for the rules as run: the SLO's windows scaled, as the evaluator saw them.
    const scaled = scaleSlos([slo], timeScale)[0] ?? slo;
    const scaledTier = scaled.alerting.tiers.find((t) => t.name === alert.tier) ?? tier;
    const bound = earliestFiring(
      scaled,
      scaledTier,
      {
        stepAtMs: fault.injectedAtMs,
        errorRatio,
        ...(trafficSinceMs === undefined ? {} : { trafficSinceMs }),
        ...(eventsPerSecond === undefined ? {} : { eventsPerSecond }),
      },
      { timeScale },
    );
    // Later than the bound by up to two evaluations and a scrape is on time: the scrape that carries
    // the first errors, and the evaluation ticks on either side of it.
    const { evaluationIntervalMs, scrapeIntervalMs } =
      alert.source === 'prometheus' ? prometheusIntervals : everySecond;
    return { toleranceMs: 2 * evaluationIntervalMs + scrapeIntervalMs, ...bound };
  },
  actionItems: (journal) => deriveActionItems(journal),
});

/**
 * One game day from a loaded scenario: reads its SLOs, starts the embedded store (and a real
 * Prometheus when there is one), runs the phases, and leaves the journal, postmortem, charts,
 * summary and JUnit file in the output folder.
 */
export async function runScenario(setup: GameDaySetup): Promise<GameDayOutcome> {
  const { scenario, clock, logger } = setup;
  let allowHosts = setup.allowTarget ?? [];
  const existing = typeof setup.prometheus === 'object' ? setup.prometheus : undefined;
  if (scenario.target.kind === 'embedded') {
    if (existing) {
      throw new UsageError(
        '--prometheus URL is for a target of your own, which that Prometheus scrapes; the embedded store listens on ports of this run only (omit --prometheus: a Prometheus is started for it when installed)',
      );
    }
  } else {
    if (setup.keepDatabase)
      throw new UsageError('--keep-database is for the embedded store; yours keeps its own');
    // The same rule as `load run`: load and faults go to this machine unless the operator names the host.
    const { storeUrl, metricsUrl, chaosUrl } = scenario.target;
    allowHosts = await checkTargets(
      [storeUrl, metricsUrl, ...(chaosUrl ? [chaosUrl] : [])],
      allowHosts,
      setup.lookup ?? lookupAll,
    );
  }
  const sloPath =
    scenario.slos === undefined
      ? packageFile('reference-store/slos.yaml')
      : resolve(dirname(setup.scenarioPath), scenario.slos);
  const slos = await loadSloFiles([sloPath], { defaultPeriodMs: 30 * 24 * 3600_000, cwd: setup.cwd });
  checkAlertNames(scenario, slos);
  const scaled = scaleSlos(slos, scenario.timeScale);

  const runId = mintRunId('gameday', clock, cryptoRandom());
  const stamp = new Date(clock.now())
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const outDir = resolve(setup.cwd, setup.outDir ?? join('gamedays', `${stamp}-${scenario.name}`));
  await mkdir(outDir, { recursive: true });
  const statePath = setup.statePath ?? statePathOf(undefined, setup.cwd);
  const rulesFile = join(outDir, 'rules.yaml');
  await writeFile(
    rulesFile,
    renderPrometheusRules(generateRuleGroups(scaled, { version, mode: 'cli-gen-prom' }), { version }),
  );
  const totalMs = scenario.phases.baselineMs + scenario.phases.injectMs + scenario.phases.recoverTimeoutMs;
  let prometheusUrl: string | undefined;
  let storeUrl: string | undefined;
  const runbooks = await loadRunbooks(packageFile('runbooks'));
  let observerCpu: (() => number) | undefined;

  let prometheusIntervals = everySecond;
  if (existing && scenario.target.kind === 'external') {
    // Checked before anything starts: a Prometheus that runs other rules cannot be compared.
    prometheusIntervals = await checkExistingPrometheus(
      { url: existing.url, fetch: (url, init) => fetch(url, init) },
      {
        metricsUrl: scenario.target.metricsUrl,
        scaledSlos: scaled,
        timeScale: scenario.timeScale,
        rulesFile,
      },
    );
  }
  const target = scenario.target;

  const journal = await runGameDay({
    scenario,
    slos,
    runId,
    toolVersion: version,
    clock: { now: () => clock.now(), sleep: abortableSleep },
    signal: setup.signal,
    assessors: assessorsFor(prometheusIntervals),
    ...(setup.events ? { events: setup.events } : {}),
    onAlertFiring: runbookHook(setup, scenario, runbooks, outDir, () => ({
      storeUrl,
      prometheusUrl,
      sloPath,
    })),
    startTarget: () =>
      target.kind === 'embedded'
        ? startEmbeddedTarget({
            seed: target.seed,
            ...(target.products === undefined ? {} : { products: target.products }),
            logFile: join(outDir, 'store.log'),
            ...(setup.keepDatabase ? { databaseDir: join(outDir, 'database') } : {}),
            env: setup.env,
            clock,
          })
        : checkExternalTarget({
            storeUrl: target.storeUrl,
            metricsUrl: target.metricsUrl,
            ...(target.chaosUrl === undefined ? {} : { chaosUrl: target.chaosUrl }),
            faultTargets: scenario.faults.map((f) => f.spec.target),
            slos: scaled,
            allowHosts,
            ...adminToken(setup.env),
          }),
    async startObserver(running) {
      storeUrl = running.storeUrl;
      const prometheus = existing
        ? prometheusReader(existing.url, scaled, prometheusIntervals.evaluationIntervalMs, () =>
            // Theirs: never stopped by the game day.
            Promise.resolve(),
          )
        : await maybePrometheus(setup, running.metricsUrl, rulesFile, scaled, outDir, allowHosts);
      prometheusUrl = prometheus?.url;
      const observer = metricsObserver({
        metricsUrl: running.metricsUrl,
        scaledSlos: scaled,
        evaluationIntervalMs: 1000,
        ...(prometheus ? { prometheus } : {}),
        ...(setup.cpuMicros ? { cpuMicros: setup.cpuMicros } : {}),
        onScrapeFailed: (atMs, reason) =>
          logger.warn(`scrape of ${running.metricsUrl} failed: ${reason}`, { atMs }),
      });
      observerCpu = observer.cpuMicrosSpent;
      return observer;
    },
    faultControl: (running) =>
      localFaultControl({
        controlUrl:
          'chaosUrl' in running && typeof running.chaosUrl === 'string' ? running.chaosUrl : undefined,
        allowHosts,
        statePath,
        runId,
        logger,
        clock,
      }),
    loadControl: (running) =>
      inProcessLoad({
        // Longer than the game day can last: the runner stops it when it is done with it.
        // SLOs the in-process evaluator cannot read are counted from the load's per-second points.
        plan: gameDayLoadPlan(
          scenario.load,
          running.storeUrl,
          scenario.seed,
          totalMs + 60_000,
          scaled.filter((slo) => !compileSli(slo).ok),
        ),
        runId,
        runNonce: randomHex(cryptoRandom(), 8),
        wallClock: clock,
      }),
    get prometheusUrl() {
      return prometheusUrl;
    },
  });
  const withPrometheus =
    prometheusUrl === undefined ? journal : { ...journal, target: { ...journal.target, prometheusUrl } };
  await writeFile(join(outDir, 'journal.json'), `${JSON.stringify(withPrometheus, null, 2)}\n`);
  const reportStart = setup.cpuMicros?.();
  const files = await writeGameDayReport(withPrometheus, outDir);
  const reportCpu = reportStart === undefined || !setup.cpuMicros ? 0 : setup.cpuMicros() - reportStart;
  return {
    journal: withPrometheus,
    outDir,
    files: ['journal.json', ...files],
    ...(setup.cpuMicros
      ? { runnerCpuMicros: (observerCpu?.() ?? 0) + reportCpu, reportCpuMicros: reportCpu }
      : {}),
  };
}

/**
 * When an alert first fires: the timeline names the runbook that serves it (the scenario's own
 * runbooks first) and how to open it; with `--drill`, its read-only steps run at that moment, as
 * `runbook run --yes --readonly` would, and each step becomes a timeline event, so diagnosis time
 * is measured rather than guessed.
 */
function runbookHook(
  setup: GameDaySetup,
  scenario: Scenario,
  runbooks: readonly Runbook[],
  outDir: string,
  urls: () => { storeUrl?: string; prometheusUrl?: string; sloPath: string },
): RunbookHook {
  // One drill per runbook and segment: the page and the ticket of one SLO share a runbook.
  const drilled = new Set<string>();
  const drillSlot = concurrencyLimit(drillsAtOnce);
  return async (alert, atMs, emit) => {
    const runbook =
      runbooks.find((r) => scenario.runbooks.includes(r.name) && r.alerts.includes(alert.alertname)) ??
      runbookForAlert(runbooks, alert.alertname);
    if (!runbook) {
      emit({ atMs, kind: 'runbook', message: `no runbook serves ${alert.alertname}` });
      return;
    }
    const labels = alert.segment === undefined ? '' : ` --label segment=${alert.segment}`;
    emit({
      atMs,
      kind: 'runbook',
      message: `runbook ${runbook.name} for ${alert.alertname}: shopsre runbook run ${runbook.name}${labels}`,
    });
    const key = `${runbook.name}/${alert.segment ?? ''}`;
    if (!setup.drill || drilled.has(key)) return;
    drilled.add(key);
    const { storeUrl, prometheusUrl, sloPath } = urls();
    await drillSlot(() =>
      runReadOnlySteps(runbook, alert.segment === undefined ? {} : { segment: alert.segment }, {
        env: { PATH: setup.env.PATH, HOME: setup.env.HOME },
        cwd: outDir,
        signal: setup.signal,
        now: () => setup.clock.now(),
        values: {
          ...(storeUrl ? { STORE_URL: storeUrl } : {}),
          ...(prometheusUrl ? { PROMETHEUS_URL: prometheusUrl } : {}),
          SLO_FILE: sloPath,
        },
        ...(setup.shopsre ? { shopsre: setup.shopsre } : {}),
        onStep: (record) =>
          emit({
            atMs: Date.parse(record.time) + record.durationMs,
            kind: 'runbook',
            message: `drill ${runbook.name} / ${record.step}${alert.segment === undefined ? '' : ` (${alert.segment})`}: ${record.outcome}${record.exitCode === null ? '' : ` (exit ${record.exitCode})`} in ${(record.durationMs / 1000).toFixed(1)} s: ${record.command}`,
          }),
      }),
    );
  };
}

/**
 * Drills that run their steps at once; the others wait their turn, in the order their alerts fired.
 * A breach fires an alert per SLO and segment together (ten or more drills in both-vendors-down),
 * and each step is a process of its own, some of which load the store: all at once, they would take
 * the CPU from the store under test and distort the very run they diagnose, and every drill's
 * timings with it. Two is about what two people on call would work through.
 */
const drillsAtOnce = 2;

/** The bearer token a store's /admin/* wants off loopback, from SHOPSRE_ADMIN_TOKEN as `store verify` reads it. */
function adminToken(env: GameDaySetup['env']): { adminToken?: string } {
  const token = adminTokenOption(undefined, env);
  return token === undefined ? {} : { adminToken: token };
}

/** Prometheus as the game day reads it back: its alert states and recorded burn rates. */
function prometheusReader(
  url: string,
  scaled: readonly Slo[],
  evaluationIntervalMs: number,
  stop: () => Promise<void>,
): PrometheusReader {
  const api = { url, fetch: (at: string, init: RequestInit) => fetch(at, init) };
  return {
    url,
    readAlerts: (fromMs, toMs) => readPrometheusAlerts(api, scaled, { fromMs, toMs, evaluationIntervalMs }),
    readBurnRates: (t) => readPrometheusBurnRates(api, scaled, t, { evaluationIntervalMs }),
    stop,
  };
}

async function maybePrometheus(
  setup: GameDaySetup,
  metricsUrl: string,
  rulesFile: string,
  scaled: readonly Slo[],
  outDir: string,
  allowHosts: readonly string[],
): Promise<PrometheusReader | undefined> {
  if (setup.prometheus === 'off') return undefined;
  let running: Awaited<ReturnType<typeof startPrometheus>>;
  try {
    running = await startPrometheus({
      dataDir: join(outDir, 'prometheus'),
      metricsUrl,
      ruleFiles: [rulesFile],
      allowHosts,
    });
  } catch (error) {
    if (setup.prometheus === 'required' || !(error instanceof EnvironmentError)) throw error;
    setup.logger.info(
      `no real Prometheus (${error.message}); the built-in evaluator alone judges the alerts`,
    );
    return undefined;
  }
  return prometheusReader(running.url, scaled, everySecond.evaluationIntervalMs, () => running.stop());
}

/** An expectation about an alert the SLOs never generate is a typo, found before anything starts. */
function checkAlertNames(scenario: Scenario, slos: readonly Slo[]): void {
  const names = [...new Set(slos.map((s) => s.alerting.name))];
  const segments = [...new Set(slos.flatMap((s) => (s.segment ? [s.segment.value] : [])))];
  const findings: Finding[] = [];
  scenario.expectations.forEach((e) => {
    if (e.kind !== 'alert-fires' && e.kind !== 'alert-silent') return;
    if (!names.includes(e.alert)) {
      findings.push({
        location: e.location,
        message: `no SLO generates an alert named "${e.alert}"; the SLOs' alerts are ${names.join(', ')}`,
      });
    }
    if (e.segment !== undefined && !segments.includes(e.segment)) {
      findings.push({
        location: e.location,
        message: `segment "${e.segment}" is not one of ${segments.join(', ')}`,
      });
    }
  });
  if (findings.length > 0) throw new InputError(findings);
}
