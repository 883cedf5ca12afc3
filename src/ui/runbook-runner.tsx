import { Box, render, Text, useApp, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { Runbook, RunbookStep } from '../runbook/model.js';
import { fillPlaceholders, type PlaceholderValues } from '../runbook/placeholders.js';
import { describeStep } from '../runbook/render-text.js';
import type { StepRecord } from '../runbook/step-record.js';

export interface RunbookRunnerProps {
  readonly runbook: Runbook;
  readonly values: PlaceholderValues;
  /** Runs a step (the domain's runStep); aborting `signal` stops it. */
  readonly execute: (step: RunbookStep, signal: AbortSignal) => Promise<StepRecord>;
  /** The record of a step the engineer skipped. */
  readonly skip: (step: RunbookStep, reason: string) => StepRecord;
  /** Each record as the step ends (the command appends it to --record). */
  readonly onRecord: (record: StepRecord) => void;
  /** Once, at the end: every record, and whether the engineer stopped before the last step. */
  readonly onDone: (result: RunbookRunResult) => void;
}

export interface RunbookRunResult {
  readonly records: readonly StepRecord[];
  readonly stopped: boolean;
}

type Phase = 'ready' | 'confirm' | 'running' | 'done' | 'finished';

interface RunnerState {
  readonly index: number;
  readonly phase: Phase;
  readonly records: readonly StepRecord[];
  readonly stopped: boolean;
}

const outcomeMark: Record<StepRecord['outcome'], { mark: string; color: string }> = {
  passed: { mark: '✔', color: 'green' },
  failed: { mark: '✘', color: 'red' },
  'timed-out': { mark: '✘', color: 'red' },
  stopped: { mark: '■', color: 'yellow' },
  skipped: { mark: '↷', color: 'gray' },
};

/**
 * `runbook run` on a terminal: one step at a time with its placeholders filled. Enter runs a read-only
 * step; a mutating one asks first and runs only on `y`. While a step runs, `q` stops it (its process
 * group is killed). After a step, its output and check; Enter goes on. `s` skips, `q` stops.
 */
export function RunbookRunner({ runbook, values, execute, skip, onRecord, onDone }: RunbookRunnerProps) {
  const { exit } = useApp();
  // The state lives in a ref, read by the key handler: ink draws a frame before React re-subscribes
  // the handler, so a key pressed right after a frame must not meet the previous frame's state.
  const state = useRef<RunnerState>({
    index: 0,
    phase: runbook.steps.length === 0 ? 'finished' : 'ready',
    records: [],
    stopped: false,
  });
  const [, redraw] = useState(0);
  const running = useRef<AbortController | undefined>(undefined);
  const update = (patch: Partial<RunnerState>): void => {
    state.current = { ...state.current, ...patch };
    redraw((n) => n + 1);
  };

  const finish = (stopped: boolean): void => {
    running.current?.abort();
    update({ phase: 'finished', stopped });
    onDone({ records: state.current.records, stopped });
  };
  const record = (entry: StepRecord): void => {
    update({ records: [...state.current.records, entry] });
    onRecord(entry);
  };
  const next = (): void => {
    if (state.current.index + 1 >= runbook.steps.length) finish(false);
    else update({ index: state.current.index + 1, phase: 'ready' });
  };
  const start = (current: RunbookStep): void => {
    const controller = new AbortController();
    running.current = controller;
    update({ phase: 'running' });
    void execute(current, controller.signal).then((entry) => {
      if (running.current === controller) running.current = undefined;
      if (state.current.phase === 'finished') return;
      record(entry);
      if (entry.outcome === 'stopped') finish(true);
      else update({ phase: 'done' });
    });
  };

  const { index, phase, records, stopped } = state.current;
  const step = runbook.steps[index];

  useEffect(() => {
    if (phase === 'finished') exit();
  }, [phase, exit]);
  useEffect(() => () => running.current?.abort(), []);

  useInput((input, key) => {
    const now = state.current;
    const current = runbook.steps[now.index];
    if (!current || now.phase === 'finished') return;
    const stop = input === 'q' || (key.ctrl && input === 'c');
    if (now.phase === 'running') {
      if (stop) running.current?.abort();
      return;
    }
    if (stop) {
      finish(true);
      return;
    }
    if (now.phase === 'done') {
      if (key.return) next();
      return;
    }
    if (now.phase === 'confirm') {
      if (input === 'y') start(current);
      else update({ phase: 'ready' });
      return;
    }
    if (input === 's') {
      record(skip(current, 'skipped by the engineer'));
      next();
    } else if (key.return) {
      if (current.effect === 'mutating') update({ phase: 'confirm' });
      else start(current);
    }
  });

  // ink subscribes to stdin in an effect after the first render: keys typed before that are lost,
  // so the prompt that invites them appears only once the subscription above is in place.
  const [listening, setListening] = useState(false);
  useEffect(() => setListening(true), []);

  const last = records[records.length - 1];
  const shownRecord = phase === 'done' && last?.step === step?.name ? last : undefined;
  return (
    <Box flexDirection="column">
      <Text bold>{runbook.title}</Text>
      {records.map((r) => (
        <Text key={r.step}>
          <Text color={outcomeMark[r.outcome].color}>{outcomeMark[r.outcome].mark}</Text> {r.step}{' '}
          <Text dimColor>
            {r.outcome}
            {r.reason ? ` (${r.reason})` : ''}
            {r.exitCode === null ? '' : `, exit ${r.exitCode}`}
          </Text>
        </Text>
      ))}
      {phase === 'finished' ? (
        <Summary records={records} stopped={stopped} total={runbook.steps.length} />
      ) : step ? (
        <Box flexDirection="column" marginTop={1}>
          <Text>
            <Text dimColor>
              step {index + 1}/{runbook.steps.length} · {step.section} ·{' '}
            </Text>
            <Text bold color={step.effect === 'mutating' ? 'yellow' : 'cyan'}>
              {describeStep(step)}
            </Text>
          </Text>
          {fillPlaceholders(step.command, values)
            .trimEnd()
            .split('\n')
            .map((line, i) => (
              <Text key={i}>
                {i === 0 ? '$ ' : '  '}
                {line}
              </Text>
            ))}
          {shownRecord ? <Outcome record={shownRecord} /> : null}
          <Text dimColor>{listening ? prompt(phase, step) : 'starting…'}</Text>
        </Box>
      ) : null}
    </Box>
  );
}

function prompt(phase: Phase, step: RunbookStep): string {
  switch (phase) {
    case 'running':
      return 'running… q stop';
    case 'confirm':
      return 'This step CHANGES the system. Type y to run it; any other key goes back.';
    case 'done':
      return 'Enter next step · q stop';
    default:
      return step.effect === 'mutating'
        ? 'Enter run (asks first: mutating) · s skip · q stop'
        : 'Enter run · s skip · q stop';
  }
}

function Outcome({ record }: { readonly record: StepRecord }) {
  const passed = record.outcome === 'passed';
  return (
    <Box flexDirection="column" marginTop={1}>
      {record.output ? <Text>{record.output}</Text> : null}
      <Text color={passed ? 'green' : 'red'}>
        {passed ? 'check passed' : `check failed: ${record.reason ?? describeFailure(record)}`} (
        {(record.durationMs / 1000).toFixed(1)}s)
      </Text>
    </Box>
  );
}

function describeFailure(record: StepRecord): string {
  const expected = `expected exit ${record.check.exitCode}${record.check.match === undefined ? '' : ` and output matching /${record.check.match}/`}`;
  return `exit ${record.exitCode ?? '-'}, ${expected}`;
}

function Summary({
  records,
  stopped,
  total,
}: {
  readonly records: readonly StepRecord[];
  readonly stopped: boolean;
  readonly total: number;
}) {
  const count = (outcome: StepRecord['outcome']): number =>
    records.filter((r) => r.outcome === outcome).length;
  const failed = count('failed') + count('timed-out');
  return (
    <Box marginTop={1}>
      <Text color={failed > 0 ? 'red' : stopped ? 'yellow' : 'green'}>
        {stopped ? 'stopped' : 'done'}: {count('passed')} passed, {failed} failed, {count('skipped')} skipped
        {stopped ? `, ${total - records.length + count('stopped')} not run` : ''}
      </Text>
    </Box>
  );
}

/**
 * Mounts the runner on a terminal and resolves when the engineer is done. JSX lives here, not in the
 * command: a bundled `import('react')` exposes only a default export, so the command never builds
 * elements itself.
 */
export async function runRunbookRunner(
  props: RunbookRunnerProps,
  terminal: { readonly stdout: NodeJS.WriteStream; readonly stdin: NodeJS.ReadStream },
): Promise<void> {
  const instance = render(<RunbookRunner {...props} />, {
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await instance.waitUntilExit();
}
