import { burnFactor, type Slo } from '../../slo/model.js';
import { scaleSlos } from '../../slo/time-scale.js';
import type {
  CheckResult,
  Journal,
  JournalFault,
  JournalPhase,
  PhaseName,
  SteadyStateResult,
  TimelineEvent,
} from '../journal.js';
import type { Scenario } from '../scenario/scenario.js';
import { assessRun, type Assessors } from './assess.js';
import type {
  CustomerRecord,
  FaultControl,
  InvariantOutcome,
  LedgerSegment,
  LiveBurnRate,
  LoadControl,
  Observer,
  RunnerClock,
  RunnerEvents,
  RunningLoad,
  RunningTarget,
  RunbookHook,
} from './ports.js';
import { firedStopCondition, steadyStateChecks } from './window-checks.js';

export interface GameDayOptions {
  readonly scenario: Scenario;
  /** The SLOs as the user would deploy them (unscaled), for names and objectives. */
  readonly slos: readonly Slo[];
  readonly runId: string;
  readonly toolVersion: string;
  readonly clock: RunnerClock;
  /** SIGINT, SIGTERM: revert everything, still verify, and report the run as interrupted. */
  readonly signal: AbortSignal;
  startTarget(): Promise<RunningTarget>;
  startObserver(target: RunningTarget): Promise<Observer>;
  faultControl(target: RunningTarget): FaultControl;
  loadControl(target: RunningTarget): LoadControl;
  readonly assessors?: Assessors;
  readonly events?: RunnerEvents;
  /** Sampling interval; 1 s. */
  readonly tickMs?: number;
  readonly prometheusUrl?: string;
  /** Called once per alert (name and segment) when it first fires. */
  readonly onAlertFiring?: RunbookHook;
}

interface ActiveFault {
  readonly record: JournalFault;
  readonly endsAtMs: number;
}

/**
 * One game day, start to report: start (or check) the target → baseline → steady-state check →
 * inject (each fault verified by its driver's probe) and observe → revert → recover (until the
 * steady state holds again, or a timeout) → verify (invariants, no fault left) → the journal.
 * Every fault is reverted on every way out: the end of its window, a stop condition, the signal,
 * an error. Environment failures before anything ran propagate (exit 3); a failure later becomes
 * the journal's `error` verdict, with whatever was measured until then.
 */
export async function runGameDay(options: GameDayOptions): Promise<Journal> {
  const { scenario, clock, signal } = options;
  const tickMs = options.tickMs ?? 1000;
  const gauges = burnGauges(scaleSlos(options.slos, scenario.timeScale));
  const timeline: TimelineEvent[] = [];
  const phases: JournalPhase[] = [];
  const faults: JournalFault[] = [];
  const steadyState: SteadyStateResult[] = [];
  const startedAtMs = clock.now();
  let phase: JournalPhase | undefined;
  let phaseEndsAtMs: number | undefined;

  const emit = (event: TimelineEvent): void => {
    timeline.push(event);
    options.events?.event?.(event);
  };
  const enterPhase = (name: PhaseName, plannedMs?: number): void => {
    const atMs = clock.now();
    if (phase && phase.endMs === undefined) phases[phases.length - 1] = { ...phase, endMs: atMs };
    phase = { name, startMs: atMs, outcome: 'completed' };
    phases.push(phase);
    phaseEndsAtMs = plannedMs === undefined ? undefined : atMs + plannedMs;
    emit({ atMs, kind: 'phase', message: `phase ${name} begins` });
  };
  const closePhase = (outcome: JournalPhase['outcome'], note?: string): void => {
    if (!phase) return;
    phase = { ...phase, endMs: clock.now(), outcome, ...(note === undefined ? {} : { note }) };
    phases[phases.length - 1] = phase;
  };

  enterPhase('start');
  const target = await options.startTarget();
  let observer: Observer | undefined;
  let faultControl: FaultControl | undefined;
  const loadStop = new AbortController();
  let load: RunningLoad | undefined;
  const active = new Map<string, ActiveFault>();
  const pending = new Set<Promise<void>>();
  let stopReason: string | undefined;
  let failure: string | undefined;
  let interrupted = false;
  let recoveredAtMs: number | undefined;
  let baselineHeld = true;
  let customers: CustomerRecord | undefined;
  let invariants: InvariantOutcome = { checked: false, passed: false, items: [], note: 'not verified' };
  let leftoverFaults: readonly string[] = [];
  let injectWindow: { startMs: number; endMs: number } | undefined;
  let ledger: readonly LedgerSegment[] | undefined;

  const track = (work: Promise<void>): void => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const revertFault = async (id: string, end: JournalFault['end']): Promise<void> => {
    const fault = active.get(id);
    if (!fault || !faultControl) return;
    active.delete(id);
    const index = faults.indexOf(fault.record);
    try {
      await faultControl.revert(id);
      const done = { ...fault.record, revertedAtMs: clock.now(), end };
      faults[index] = done;
      emit({ atMs: done.revertedAtMs, kind: 'fault', message: `${done.fault} reverted (${end})` });
    } catch (error) {
      faults[index] = { ...fault.record, end: 'revert-failed', error: messageOf(error) };
      emit({
        atMs: clock.now(),
        kind: 'fault',
        message: `${fault.record.fault} revert FAILED: ${messageOf(error)}`,
      });
    }
  };
  const injectFault = async (index: number): Promise<void> => {
    const planned = scenario.faults[index];
    if (!planned || !faultControl || !injectWindow) return;
    const id = `${options.runId}-${planned.spec.fault}-${index + 1}`;
    const injectedAtMs = clock.now();
    const record: JournalFault = {
      id,
      fault: planned.spec.fault,
      target: planned.spec.target,
      params: { ...planned.spec.params },
      plannedOffsetMs: planned.offsetMs,
      plannedDurationMs: planned.spec.durationMs,
      injectedAtMs,
    };
    faults.push(record);
    const at = faults.length - 1;
    active.set(id, { record, endsAtMs: injectedAtMs + planned.spec.durationMs });
    emit({
      atMs: injectedAtMs,
      kind: 'fault',
      message: `${describe(planned.spec.fault, planned.spec.params)} injected`,
    });
    try {
      const report = await faultControl.inject(planned, id, signal);
      const verified = { ...record, verifiedAtMs: report.verifiedAtMs, verification: report.verification };
      faults[at] = verified;
      const current = active.get(id);
      if (current) active.set(id, { ...current, record: verified });
      emit({
        atMs: report.verifiedAtMs,
        kind: 'fault',
        message: `${planned.spec.fault} verified: ${report.verification}`,
      });
    } catch (error) {
      active.delete(id);
      if (signal.aborted) {
        // The stop came while the fault was going in: the driver took it back, and that is no failure.
        const revertedAtMs = clock.now();
        faults[at] = { ...record, revertedAtMs, end: 'interrupted', error: messageOf(error) };
        emit({
          atMs: revertedAtMs,
          kind: 'fault',
          message: `${planned.spec.fault} stopped before it was verified; reverted`,
        });
        return;
      }
      faults[at] = { ...record, end: 'not-injected', error: messageOf(error) };
      emit({
        atMs: clock.now(),
        kind: 'fault',
        message: `${planned.spec.fault} could not be injected: ${messageOf(error)}`,
      });
      failure ??= `fault ${planned.spec.fault} could not be injected: ${messageOf(error)}`;
    }
  };

  /** Samples once a tick until `untilMs`, or until `step` returns true, the signal aborts, or a stop. */
  const run = async (untilMs: number, step: (atMs: number) => boolean | Promise<boolean>): Promise<void> => {
    let next = clock.now() + tickMs;
    while (!signal.aborted && stopReason === undefined && failure === undefined) {
      const wake = Math.min(next, untilMs);
      await clock.sleep(Math.max(0, wake - clock.now()), signal);
      if (signal.aborted) break;
      const atMs = clock.now();
      if (atMs >= next) {
        next += tickMs * Math.max(1, Math.ceil((atMs - next + 1) / tickMs));
        await observer?.sample(atMs);
        noticeFiring(atMs);
        publishStatus(atMs);
        if (await step(atMs)) return;
      }
      if (atMs >= untilMs) return;
    }
  };
  const seenFiring = new Set<string>();
  // Runbook drills run beside the phases (a fault's revert never waits for one); awaited before verify.
  const drills: Promise<void>[] = [];
  const noticeFiring = (atMs: number): void => {
    if (!observer) return;
    for (const alert of observer.firing()) {
      const key = `${alert.alertname}/${alert.segment ?? ''}/${alert.severity}`;
      if (seenFiring.has(key)) continue;
      seenFiring.add(key);
      emit({
        atMs,
        kind: 'alert',
        message: `${alert.alertname}${alert.segment ? ` for ${alert.segment}` : ''} (${alert.severity}) firing`,
      });
      if (options.onAlertFiring)
        drills.push(
          options.onAlertFiring(alert, atMs, emit).catch((error: unknown) => {
            emit({
              atMs: clock.now(),
              kind: 'runbook',
              message: `runbook for ${alert.alertname} failed: ${messageOf(error)}`,
            });
          }),
        );
    }
  };
  // The first sample: a span reaching back before it starts there (see the servers' view).
  let firstStatusAtMs: number | undefined;
  const publishStatus = (atMs: number): void => {
    if (!options.events?.tick || !observer) return;
    const obs = observer;
    firstStatusAtMs ??= atMs;
    const fromMs = Math.max(atMs - statusSpanMs, firstStatusAtMs);
    const segments = obs.segments.map((segment) => ({ segment, stats: obs.checkout(segment, fromMs, atMs) }));
    const measured = segments.flatMap(({ stats }) => (stats ? [stats.requests] : []));
    options.events.tick({
      phase: phase?.name ?? 'start',
      phaseEndsInMs: phaseEndsAtMs === undefined ? undefined : Math.max(0, phaseEndsAtMs - atMs),
      atMs,
      segments,
      requestsPerSecond:
        atMs > fromMs && measured.length > 0
          ? measured.reduce((a, b) => a + b, 0) / ((atMs - fromMs) / 1000)
          : undefined,
      burnRates: gauges.map(({ longWindowMs, shortWindowMs, ...gauge }) => {
        const read = (windowMs: number) => ({
          windowMs,
          burnRate: obs.burnRate(gauge.slo, gauge.segment, windowMs),
        });
        return { ...gauge, long: read(longWindowMs), short: read(shortWindowMs) };
      }),
      firing: obs.firing(),
      activeFaults: [...active.values()].map((f) => ({
        id: f.record.id,
        fault: f.record.fault,
        target: f.record.target,
        endsInMs: Math.max(0, f.endsAtMs - atMs),
      })),
    });
  };
  const checkSteadyState = (at: 'baseline' | 'recover', atMs: number): SteadyStateResult => {
    const checks: CheckResult[] = observer
      ? steadyStateChecks(scenario.steadyState, observer, atMs, scenario.timeScale)
      : [];
    return { at, atMs, held: checks.every((c) => c.passed), checks };
  };

  try {
    faultControl = options.faultControl(target);
    leftoverFaults = await faultControl.revertLeftovers();
    for (const line of leftoverFaults)
      emit({ atMs: clock.now(), kind: 'fault', message: `leftover of a killed run reverted: ${line}` });
    load = options.loadControl(target).start(loadStop.signal);
    // Observers start after the warm-up, so no window ever holds the store's cold first seconds.
    if (scenario.phases.warmupMs > 0) await clock.sleep(scenario.phases.warmupMs, signal);
    if (!signal.aborted) observer = await options.startObserver(target);
    closePhase(signal.aborted ? 'interrupted' : 'completed');

    enterPhase('baseline', scenario.phases.baselineMs);
    await run(clock.now() + scenario.phases.baselineMs, () => false);
    if (!signal.aborted && failure === undefined) {
      const result = checkSteadyState('baseline', clock.now());
      steadyState.push(result);
      baselineHeld = result.held;
      emit({
        atMs: result.atMs,
        kind: 'steady-state',
        message: result.held
          ? 'steady state holds at the end of baseline'
          : `steady state does NOT hold at the end of baseline: ${failedChecks(result)}; no fault injected`,
      });
      closePhase(result.held ? 'completed' : 'failed', result.held ? undefined : 'steady state did not hold');
    }

    if (baselineHeld && !signal.aborted && failure === undefined) {
      enterPhase('inject', scenario.phases.injectMs);
      const startMs = clock.now();
      injectWindow = { startMs, endMs: startMs + scenario.phases.injectMs };
      const window = injectWindow;
      let nextFault = 0;
      const startDue = (atMs: number): void => {
        while (nextFault < scenario.faults.length) {
          const planned = scenario.faults[nextFault];
          if (!planned || window.startMs + planned.offsetMs > atMs) break;
          track(injectFault(nextFault));
          nextFault++;
        }
        for (const [id, fault] of active) {
          if (fault.endsAtMs <= atMs) track(revertFault(id, 'completed'));
        }
      };
      startDue(startMs);
      await run(window.endMs, (atMs) => {
        startDue(atMs);
        if (observer) {
          const fired = firedStopCondition(scenario.stopConditions, observer, atMs);
          if (fired !== undefined) {
            stopReason = fired;
            emit({ atMs, kind: 'stop', message: `stop condition: ${fired}; reverting every fault` });
          }
        }
        return false;
      });
      await Promise.all(pending);
      for (const id of [...active.keys()])
        await revertFault(id, signal.aborted || stopReason ? 'interrupted' : 'completed');
      window.endMs = clock.now();
      closePhase(
        signal.aborted
          ? 'interrupted'
          : stopReason !== undefined
            ? 'stopped'
            : failure
              ? 'failed'
              : 'completed',
      );
      const reverted = faults.flatMap((f) => (f.revertedAtMs === undefined ? [] : [f.revertedAtMs]));
      if (reverted.length > 0)
        emit({
          atMs: Math.max(...reverted),
          kind: 'fault',
          message: 'every fault reverted',
          marker: 'MITIGATED',
        });
    }

    if (baselineHeld && !signal.aborted && failure === undefined) {
      enterPhase('recover', scenario.phases.recoverTimeoutMs);
      const startMs = clock.now();
      let heldSince: number | undefined;
      let last: SteadyStateResult | undefined;
      await run(startMs + scenario.phases.recoverTimeoutMs, (atMs) => {
        last = checkSteadyState('recover', atMs);
        if (!last.held) {
          heldSince = undefined;
          return false;
        }
        heldSince ??= atMs;
        if (atMs - heldSince < scenario.phases.recoverHoldMs) return false;
        recoveredAtMs = heldSince;
        return true;
      });
      if (last) steadyState.push(last);
      if (recoveredAtMs !== undefined) {
        emit({
          atMs: recoveredAtMs,
          kind: 'steady-state',
          message: 'steady state holds again',
          ...(faults.length > 0 ? { marker: 'OUTAGE ENDS' as const } : {}),
        });
        closePhase('completed');
      } else {
        closePhase(
          signal.aborted ? 'interrupted' : 'timed-out',
          signal.aborted ? undefined : 'steady state did not hold again in time',
        );
      }
    }
  } catch (error) {
    failure = messageOf(error);
    emit({ atMs: clock.now(), kind: 'note', message: `the game day failed: ${failure}` });
    closePhase('failed', failure);
  } finally {
    // Every way out: take back whatever is still injected before anything else.
    await Promise.allSettled([...pending]);
    for (const id of [...active.keys()]) await revertFault(id, 'interrupted');
    loadStop.abort();
    customers = await load?.finished.catch((error: unknown) => {
      failure ??= `the load generator failed: ${messageOf(error)}`;
      return undefined;
    });
  }
  interrupted = signal.aborted;

  await Promise.allSettled(drills);
  enterPhase('verify');
  try {
    invariants = await target.verify();
    emit({
      atMs: clock.now(),
      kind: 'invariant',
      message: invariants.passed
        ? 'store invariants hold'
        : `store invariants BROKEN: ${invariants.items
            .filter((i) => !i.passed)
            .map((i) => i.name)
            .join(', ')}`,
    });
    if (target.ledger && load) ledger = await target.ledger(phases[1]?.startMs ?? startedAtMs, clock.now());
    const left = faultControl ? await faultControl.stillActive() : [];
    if (left.length > 0) {
      emit({
        atMs: clock.now(),
        kind: 'fault',
        message: `faults still recorded as active after the run: ${left.join(', ')}`,
      });
      invariants = {
        ...invariants,
        passed: false,
        items: [...invariants.items, { name: 'no fault left', passed: false, detail: left.join(', ') }],
      };
    } else if (faultControl) {
      invariants = {
        ...invariants,
        items: [
          ...invariants.items,
          { name: 'no fault left', passed: true, detail: 'chaos status is empty' },
        ],
      };
    }
    closePhase('completed');
  } catch (error) {
    failure ??= `verify failed: ${messageOf(error)}`;
    closePhase('failed', messageOf(error));
  } finally {
    await observer?.close().catch(() => undefined);
    await target.stop();
  }

  enterPhase('report');
  const endedAtMs = clock.now();
  closePhase('completed');
  const firstInjected = faults.find((f) => f.injectedAtMs !== undefined)?.injectedAtMs;
  if (firstInjected !== undefined)
    timeline.push({
      atMs: firstInjected,
      kind: 'fault',
      message: 'first fault injected',
      marker: 'OUTAGE BEGINS',
    });
  timeline.sort((a, b) => a.atMs - b.atMs);

  return assessRun({
    scenario,
    slos: options.slos,
    runId: options.runId,
    toolVersion: options.toolVersion,
    target,
    prometheusUrl: options.prometheusUrl,
    startedAtMs,
    endedAtMs,
    phases,
    faults,
    steadyState,
    timeline,
    observed: observer?.record(),
    customers,
    invariants,
    ledger,
    injectWindow,
    recoveredAtMs,
    baselineHeld,
    stopReason,
    failure,
    interrupted,
    assessors: options.assessors,
  });
}

/** The live view's checkout figures cover the last 5 s. */
const statusSpanMs = 5000;

type BurnGauge = Omit<LiveBurnRate, 'long' | 'short'> & {
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
};

/** Each window pair of each enabled tier of the (time-scaled) SLOs, as the evaluator checks it. */
function burnGauges(scaled: readonly Slo[]): BurnGauge[] {
  return scaled.flatMap((slo) =>
    slo.alerting.tiers
      .filter((tier) => tier.enabled)
      .flatMap((tier) =>
        (['quick', 'slow'] as const).map((condition) => {
          const pair = tier[condition];
          return {
            slo: slo.baseName,
            ...(slo.segment ? { segment: slo.segment.value } : {}),
            alertname: slo.alerting.name,
            tier: tier.name,
            severity: tier.severity,
            condition,
            factor: burnFactor(pair, slo.periodMs),
            longWindowMs: pair.longWindowMs,
            shortWindowMs: pair.shortWindowMs,
          };
        }),
      ),
  );
}

function failedChecks(result: SteadyStateResult): string {
  return result.checks
    .filter((c) => !c.passed)
    .map((c) => `${c.name}${c.segment ? ` (${c.segment})` : ''}: ${c.detail}`)
    .join('; ');
}

function describe(fault: string, params: Readonly<Record<string, string | number>>): string {
  const list = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  return list.length > 0 ? `${fault} (${list.join(', ')})` : fault;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
