import { Box, render, Text, useStderr } from 'ink';
import { useEffect } from 'react';
import { percent } from '../gameday/format.js';
import type { TimelineEvent } from '../gameday/journal.js';
import type { LiveBurnRate, LiveStatus, RunnerEvents } from '../gameday/runner/ports.js';
import { formatClock, formatMs } from './load-progress-lines.js';

/** What the live view knows: the latest status (once a second) and the latest timeline events. */
export interface DashboardState {
  /** The first event's time: event times and the elapsed time count from it. */
  readonly startedAtMs: number | undefined;
  readonly atMs: number | undefined;
  readonly phase: string | undefined;
  /** From the latest status; unknown after a phase begins until the next status. */
  readonly phaseEndsInMs: number | undefined;
  readonly status: LiveStatus | undefined;
  readonly events: readonly TimelineEvent[];
}

export const emptyDashboard: DashboardState = {
  startedAtMs: undefined,
  atMs: undefined,
  phase: undefined,
  phaseEndsInMs: undefined,
  status: undefined,
  events: [],
};

/** Timeline events kept on screen. */
export const shownEvents = 6;

export function withEvent(state: DashboardState, event: TimelineEvent): DashboardState {
  // The runner's phase events (`phase verify begins`) name the phase before the next status does,
  // and after the last one: verify and report publish no status.
  const begins = event.kind === 'phase' ? /^phase (\S+) begins$/.exec(event.message) : null;
  return {
    ...state,
    startedAtMs: state.startedAtMs ?? event.atMs,
    atMs: Math.max(state.atMs ?? event.atMs, event.atMs),
    ...(begins ? { phase: begins[1], phaseEndsInMs: undefined } : {}),
    events: [...state.events, event].slice(-shownEvents),
  };
}

export function withStatus(state: DashboardState, status: LiveStatus): DashboardState {
  return {
    ...state,
    startedAtMs: state.startedAtMs ?? status.atMs,
    atMs: Math.max(state.atMs ?? status.atMs, status.atMs),
    phase: status.phase,
    phaseEndsInMs: status.phaseEndsInMs,
    status,
  };
}

export interface GameDayDashboardProps {
  /** The scenario's name (`vendor-outage`) and title. */
  readonly scenario: string;
  readonly title: string;
  readonly state: DashboardState;
  /** The terminal's height: the view keeps below it, showing fewer rows of the burn table if need be. */
  readonly rows?: number;
}

/**
 * The live view of `gameday run` on a terminal, in 80 columns: phase and countdown, checkout per
 * segment over the last 5 s, a burn-rate bar per SLO, segment and alert tier against its threshold,
 * firing alerts, active faults and the latest timeline events.
 */
export function GameDayDashboard({ scenario, title, state, rows }: GameDayDashboardProps) {
  const { status } = state;
  const layout = status ? planLayout(state, status, rows) : undefined;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        game day <Text bold>{scenario}</Text>
        {title ? <Text dimColor> · {title}</Text> : null}
      </Text>
      <Header state={state} />
      {status && layout ? (
        <>
          <Segments status={status} />
          <BurnTable table={layout.burn} />
          <Alerts status={status} />
          <Faults status={status} />
        </>
      ) : (
        <Text dimColor>waiting for the first sample…</Text>
      )}
      <Events state={state} count={layout?.events ?? shownEvents} />
    </Box>
  );
}

interface Layout {
  readonly burn: FittedTable;
  readonly events: number;
}

/**
 * Keeps the frame shorter than the terminal (ink clears the whole screen, scrollback included, to
 * draw a taller one): fewer events first, then only the burn table's hottest rows.
 */
function planLayout(state: DashboardState, status: LiveStatus, rows: number | undefined): Layout {
  const table = burnTable(status);
  let events = Math.min(shownEvents, state.events.length);
  if (rows === undefined) return { burn: fitTable(table, Infinity), events };
  const section = (lines: number, extra: number): number => (lines === 0 ? 0 : lines + extra);
  // Title and phase; blank, heading and a row per segment; blank and alerts; the faults.
  const fixed = 2 + 2 + status.segments.length + 2 + Math.max(1, status.activeFaults.length);
  const available = rows - 1 - fixed;
  if (section(table.lines.length, 2) + section(events, 1) > available) events = Math.min(events, 3);
  return { burn: fitTable(table, Math.max(2, available - section(events, 1) - 2)), events };
}

function Header({ state }: { readonly state: DashboardState }) {
  const parts: string[] = [];
  if (state.phaseEndsInMs !== undefined) parts.push(`${formatClock(state.phaseEndsInMs)} left`);
  if (state.startedAtMs !== undefined && state.atMs !== undefined)
    parts.push(`elapsed ${formatClock(state.atMs - state.startedAtMs)}`);
  const rps = state.status?.requestsPerSecond;
  if (state.status) parts.push(`checkout ${rps === undefined ? '-' : rps.toFixed(1)} req/s`);
  return (
    <Text wrap="truncate-end">
      phase{' '}
      <Text bold color="cyan">
        {(state.phase ?? 'start').toUpperCase()}
      </Text>
      {parts.map((part) => ` · ${part}`).join('')}
    </Text>
  );
}

function Segments({ status }: { readonly status: LiveStatus }) {
  const width = Math.min(12, Math.max(7, ...status.segments.map((s) => s.segment.length)));
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text dimColor>
        {'SEGMENT'.padEnd(width)}
        {'CHECKOUTS (5 S)'.padStart(17)}
        {'SUCCESS'.padStart(9)}
        {'P95'.padStart(9)}
      </Text>
      {status.segments.map(({ segment, stats }) => {
        const success = stats && stats.requests > 0 ? percent(1 - stats.errors / stats.requests) : '-';
        return (
          <Text key={segment}>
            {fit(segment, width)}
            {String(stats?.requests ?? '-').padStart(17)}
            <Text color={stats && stats.errors > 0 ? 'red' : undefined}>{success.padStart(9)}</Text>
            {formatMs(stats?.p95Ms).padStart(9)}
          </Text>
        );
      })}
    </Box>
  );
}

export interface TierGauge {
  readonly slo: string;
  readonly segment: string | undefined;
  readonly tier: string;
  /** The binding pair's burn rate over its threshold: above 1 the tier's condition holds. */
  readonly level: number | undefined;
  /** The binding pair's burn rate: the lower of its two windows, as the condition compares it. */
  readonly burnRate: number | undefined;
  readonly factor: number;
  readonly state: 'firing' | 'over' | 'ok' | 'no data';
}

type BurnLine =
  | { readonly kind: 'slo'; readonly slo: string }
  | {
      readonly kind: 'row';
      readonly slo: string;
      readonly segment: string | undefined;
      /** One per tier of the table, in its order; undefined where the SLO has no such tier. */
      readonly cells: readonly (TierGauge | undefined)[];
      readonly level: number;
    };

interface BurnTable {
  readonly tiers: readonly string[];
  readonly lines: readonly BurnLine[];
}

interface FittedTable extends BurnTable {
  /** Rows left out for the terminal's height. */
  readonly hidden: number;
}

/** A line per SLO, under it a row per segment (`all` when not segmented) with a cell per tier. */
function burnTable(status: LiveStatus): BurnTable {
  const gauges = tierGauges(status);
  const tiers = [...new Set(gauges.map((g) => g.tier))];
  const bySlo = new Map<string, Map<string, TierGauge[]>>();
  for (const g of gauges) {
    const segments = bySlo.get(g.slo) ?? new Map<string, TierGauge[]>();
    bySlo.set(g.slo, segments);
    const key = g.segment ?? '';
    segments.set(key, [...(segments.get(key) ?? []), g]);
  }
  const lines: BurnLine[] = [];
  for (const [slo, segments] of bySlo) {
    lines.push({ kind: 'slo', slo });
    for (const [segment, row] of segments) {
      lines.push({
        kind: 'row',
        slo,
        segment: segment === '' ? undefined : segment,
        cells: tiers.map((tier) => row.find((g) => g.tier === tier)),
        level: Math.max(-1, ...row.map((g) => g.level ?? -1)),
      });
    }
  }
  return { tiers, lines };
}

/** At most `budget` lines, one of them saying how many rows are left out: the hottest rows stay. */
function fitTable(table: BurnTable, budget: number): FittedTable {
  if (table.lines.length <= budget) return { ...table, hidden: 0 };
  const rows = table.lines.filter((line) => line.kind === 'row');
  const kept = new Set<BurnLine>();
  const slos = new Set<string>();
  let used = 1;
  for (const row of [...rows].sort((a, b) => b.level - a.level)) {
    const cost = slos.has(row.slo) ? 1 : 2;
    if (used + cost > budget) continue;
    kept.add(row);
    slos.add(row.slo);
    used += cost;
  }
  return {
    tiers: table.tiers,
    lines: table.lines.filter((line) => (line.kind === 'row' ? kept.has(line) : slos.has(line.slo))),
    hidden: rows.length - kept.size,
  };
}

/** Cells of a bar; the threshold sits in the middle, so a full bar is twice the threshold or more. */
const barCells = 14;
/** A row's label: two spaces and the segment. */
const segmentWidth = 8;
/** Bar and threshold mark, burn rate / threshold, state. */
const cellWidth = barCells + 1 + 1 + 10 + 1 + 6;

function BurnTable({ table }: { readonly table: FittedTable }) {
  if (table.lines.length === 0) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text dimColor>
        {'BURN RATE'.padEnd(segmentWidth + 2)}
        {table.tiers
          .map((tier, i) => (i === 0 ? `${tier}  (│ is the threshold)` : tier).padEnd(cellWidth + 1))
          .join('')
          .trimEnd()}
      </Text>
      {table.lines.map((line) =>
        line.kind === 'slo' ? (
          <Text key={line.slo} wrap="truncate-end">
            {line.slo}
          </Text>
        ) : (
          <Text key={`${line.slo}/${line.segment ?? ''}`}>
            {'  '}
            {fit(line.segment ?? 'all', segmentWidth)}
            {line.cells.map((cell, i) => (
              <Cell key={table.tiers[i] ?? i} gauge={cell} />
            ))}
          </Text>
        ),
      )}
      {table.hidden > 0 ? (
        <Text dimColor>… {table.hidden} quieter rows (the terminal is too short)</Text>
      ) : null}
    </Box>
  );
}

function Cell({ gauge }: { readonly gauge: TierGauge | undefined }) {
  if (!gauge) return <Text>{' '.repeat(cellWidth + 1)}</Text>;
  const color = gauge.state === 'firing' ? 'red' : gauge.state === 'over' ? 'yellow' : 'green';
  const filled = gauge.level === undefined ? 0 : Math.round((Math.min(gauge.level, 2) / 2) * barCells);
  const half = barCells / 2;
  const cells = (from: number, to: number) => {
    const on = Math.max(0, Math.min(filled, to) - from);
    return (
      <>
        <Text color={color}>{'█'.repeat(on)}</Text>
        <Text dimColor>{(gauge.level === undefined ? '·' : '░').repeat(to - from - on)}</Text>
      </>
    );
  };
  const rate = gauge.burnRate === undefined ? '-' : formatRate(gauge.burnRate);
  return (
    <Text>
      {cells(0, half)}
      <Text bold>│</Text>
      {cells(half, barCells)} {rate.padStart(5)}/{formatRate(gauge.factor).padEnd(4)}{' '}
      {gauge.state === 'firing' ? (
        <Text bold color="red">
          FIRING
        </Text>
      ) : gauge.state === 'over' ? (
        <Text color="yellow">over{'  '}</Text>
      ) : (
        ' '.repeat(6)
      )}{' '}
    </Text>
  );
}

/**
 * One gauge per SLO, segment and tier. A tier alerts when both windows of either of its pairs burn
 * above the pair's threshold, so its level is the higher of its pairs' levels, each the lower of
 * the pair's two windows over its threshold: above 1 the condition holds. Firing alerts name a
 * severity, not a tier: where two tiers of an alert share one, the firing one is the one over.
 */
export function tierGauges(status: LiveStatus): TierGauge[] {
  const tiers = new Map<string, { readonly first: LiveBurnRate; readonly pairs: LiveBurnRate[] }>();
  for (const b of status.burnRates) {
    const key = `${b.slo}/${b.segment ?? ''}/${b.tier}`;
    const found = tiers.get(key);
    if (found) found.pairs.push(b);
    else tiers.set(key, { first: b, pairs: [b] });
  }
  const measured = [...tiers.values()].map(({ first, pairs }) => {
    let best: PairLevel | undefined;
    for (const pair of pairs) {
      const level = pairLevel(pair);
      if (level && (!best || level.level > best.level)) best = level;
    }
    return { first, best, alert: alertKey(first) };
  });
  const firing = new Set(status.firing.map(alertKey));
  const isOver = (level: number | undefined): boolean => level !== undefined && level > 1;
  return measured.map(({ first, best, alert }) => {
    const over = isOver(best?.level);
    const firingHere =
      firing.has(alert) &&
      (over || !measured.some((other) => other.alert === alert && isOver(other.best?.level)));
    return {
      slo: first.slo,
      segment: first.segment,
      tier: first.tier,
      level: best?.level,
      burnRate: best?.burnRate,
      factor: (best?.pair ?? first).factor,
      state: firingHere ? 'firing' : over ? 'over' : best ? 'ok' : 'no data',
    };
  });
}

function alertKey(alert: {
  readonly alertname: string;
  readonly segment?: string;
  readonly severity: string;
}) {
  return `${alert.alertname}/${alert.segment ?? ''}/${alert.severity}`;
}

interface PairLevel {
  readonly pair: LiveBurnRate;
  /** The lower of the two windows' burn rates: what the condition compares with the threshold. */
  readonly burnRate: number;
  readonly level: number;
}

function pairLevel(pair: LiveBurnRate): PairLevel | undefined {
  const { long, short, factor } = pair;
  if (long.burnRate === undefined || short.burnRate === undefined || factor <= 0) return undefined;
  const burnRate = Math.min(long.burnRate, short.burnRate);
  return { pair, burnRate, level: burnRate / factor };
}

function Alerts({ status }: { readonly status: LiveStatus }) {
  return (
    <Box marginTop={1}>
      {status.firing.length === 0 ? (
        <Text dimColor>no alert firing</Text>
      ) : (
        <Text wrap="truncate-end">
          <Text bold color="red">
            FIRING
          </Text>{' '}
          {status.firing
            .map((f) => `${f.alertname}${f.segment ? ` ${f.segment}` : ''} (${f.severity})`)
            .join(', ')}
        </Text>
      )}
    </Box>
  );
}

function Faults({ status }: { readonly status: LiveStatus }) {
  if (status.activeFaults.length === 0) return <Text dimColor>no fault active</Text>;
  return (
    <Box flexDirection="column">
      {status.activeFaults.map((f) => (
        <Text key={f.id} wrap="truncate-end">
          <Text color="yellow">fault {f.fault}</Text> on {f.target}, {Math.ceil(f.endsInMs / 1000)} s left
        </Text>
      ))}
    </Box>
  );
}

const eventColor: Partial<Record<TimelineEvent['kind'], string>> = {
  alert: 'red',
  stop: 'red',
  fault: 'yellow',
  'steady-state': 'green',
  runbook: 'cyan',
};

function Events({ state, count }: { readonly state: DashboardState; readonly count: number }) {
  if (state.events.length === 0 || count <= 0) return null;
  const start = state.startedAtMs ?? 0;
  return (
    <Box flexDirection="column" marginTop={1}>
      {state.events.slice(-count).map((event, i) => (
        <Text key={i} wrap="truncate-end">
          <Text dimColor>{formatClock(event.atMs - start).padStart(6)} </Text>
          {event.marker ? <Text bold>{event.marker}: </Text> : null}
          <Text color={eventColor[event.kind]}>{event.message}</Text>
        </Text>
      ))}
    </Box>
  );
}

/** Pads or cuts to exactly `width` characters. */
function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** A burn rate or threshold: two decimals below 10, one below 100, whole above. */
function formatRate(value: number): string {
  return String(Number(value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)));
}

/** The live view as the runner drives it, plus a way to write log lines above it. */
export interface GameDayDashboardHandle extends Required<RunnerEvents> {
  /** Writes text (whole lines) above the live view, which is drawn again below it. */
  write(text: string): void;
  /** Draws the last state and leaves it on the screen. */
  close(): void;
}

/** Events draw at most this long after they arrive when no status comes (before and after the samples). */
const eventDelayMs = 1000;

/**
 * Mounts the live view on a terminal stream (stderr: stdout keeps the verdict). It redraws on each
 * status (once a second); an event alone redraws within a second, so the start, verify and report
 * phases, which publish no status, still show theirs. JSX lives here, not in the command: a bundled
 * `import('react')` exposes no named exports. Ctrl+C is left to the command.
 */
export function startGameDayDashboard(
  stream: NodeJS.WriteStream,
  header: { readonly title: string; readonly scenario: string },
): GameDayDashboardHandle {
  let state = emptyDashboard;
  let writeAbove: ((text: string) => void) | undefined;
  let pending: NodeJS.Timeout | undefined;
  let closed = false;
  const onWriter = (write: (text: string) => void): void => {
    writeAbove = write;
  };
  const view = () => (
    <>
      <AboveWriter onWriter={onWriter} />
      <GameDayDashboard {...header} state={state} rows={stream.rows} />
    </>
  );
  const instance = render(view(), {
    stdout: stream,
    stderr: stream,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  const draw = (): void => {
    clearTimeout(pending);
    pending = undefined;
    if (!closed) instance.rerender(view());
  };
  return {
    event(event) {
      state = withEvent(state, event);
      if (!closed && pending === undefined) {
        pending = setTimeout(draw, eventDelayMs);
        pending.unref();
      }
    },
    tick(status) {
      state = withStatus(state, status);
      draw();
    },
    write(text) {
      if (closed || !writeAbove) stream.write(text);
      else writeAbove(text);
    },
    close() {
      if (closed) return;
      draw();
      closed = true;
      instance.unmount();
    },
  };
}

/** Hands ink's stderr writer (which clears the live view, writes, and draws it again) to the mount. */
function AboveWriter({ onWriter }: { readonly onWriter: (write: (text: string) => void) => void }) {
  const { write } = useStderr();
  useEffect(() => onWriter(write), [onWriter, write]);
  return null;
}
