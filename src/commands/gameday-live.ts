import type { Writer } from '../core/io.js';
import { percent } from '../gameday/format.js';
import type { TimelineEvent } from '../gameday/journal.js';
import type { LiveStatus, RunnerEvents } from '../gameday/runner/ports.js';
import type { CommandContext } from './context.js';
import { liveTerminal } from './live-terminal.js';

/** How `gameday run` shows a run as it goes: the runner's events, and a way to end the view. */
export interface LiveView extends RunnerEvents {
  /**
   * Where to write log lines while the run goes: above the dashboard on a terminal (a line written
   * under ink's live area by anyone else garbles it), stderr otherwise.
   */
  readonly stderr: Writer;
  /** Leaves the last frame of the dashboard on the screen; plain lines stay as printed. */
  close(): void;
}

export interface LiveViewOptions {
  readonly json: boolean;
  /** The scenario's name (`vendor-outage`) and title, for the dashboard's header. */
  readonly scenario: string;
  readonly title: string;
}

/**
 * `--json`: nothing (stdout carries the one result line, stderr only logs). A terminal: the ink
 * dashboard on stderr, lazily imported so other commands and plain runs do not load ink. Otherwise
 * (a pipe, a file, CI=true): a line per timeline event and a status line every 5 s on stderr.
 * Decided as `load run` decides for its live view.
 */
export async function liveView(ctx: CommandContext, options: LiveViewOptions): Promise<LiveView> {
  const { io } = ctx;
  const close = (): void => undefined;
  if (options.json) return { stderr: io.stderr, close };
  const terminal = liveTerminal(io);
  if (!terminal) return { ...progressLines(io.stderr), stderr: io.stderr, close };
  const { startGameDayDashboard } = await import('../ui/gameday-dashboard.js');
  const dashboard = startGameDayDashboard(terminal, { scenario: options.scenario, title: options.title });
  return {
    event: (event) => dashboard.event(event),
    tick: (status) => dashboard.tick(status),
    stderr: { write: (text: string) => dashboard.write(text) },
    close: () => dashboard.close(),
  };
}

/** One line per timeline event and a status line every 5 s, on stderr (stdout keeps the result). */
function progressLines(sink: Writer): RunnerEvents {
  const write = (line: string): void => {
    sink.write(`${line}\n`);
  };
  let lastStatusMs = 0;
  return {
    event(event: TimelineEvent) {
      write(`${clockTime(event.atMs)}  ${event.marker ? `${event.marker}: ` : ''}${event.message}`);
    },
    tick(status: LiveStatus) {
      if (status.atMs - lastStatusMs < 5000) return;
      lastStatusMs = status.atMs;
      const segments = status.segments
        .map(({ segment, stats }) => {
          if (!stats || stats.requests === 0) return `${segment} -`;
          return `${segment} ${percent(1 - stats.errors / stats.requests)}${stats.p95Ms === undefined ? '' : ` p95 ${Math.round(stats.p95Ms)}ms`}`;
        })
        .join('  ');
      const left =
        status.phaseEndsInMs === undefined ? '' : ` (${Math.ceil(status.phaseEndsInMs / 1000)} s left)`;
      const firing =
        status.firing.length === 0
          ? ''
          : `  FIRING ${status.firing.map((f) => `${f.alertname}/${f.segment ?? '-'}`).join(', ')}`;
      const faults =
        status.activeFaults.length === 0
          ? ''
          : `  faults ${status.activeFaults.map((f) => f.fault).join(', ')}`;
      write(`${clockTime(status.atMs)}  [${status.phase}${left}] checkout ${segments}${faults}${firing}`);
    },
  };
}

/** `HH:MM:SS` of an epoch time, UTC. */
function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
