import { Box, render, Text } from 'ink';
import type { ProgressSnapshot } from '../loadgen/progress.js';
import { formatClock, formatMs, formatShare, type ProgressDisplay } from './load-progress-lines.js';

export interface LoadProgressProps {
  readonly snapshot: ProgressSnapshot;
  readonly target: string;
  readonly executor: string;
}

const barWidth = 24;

/** The live view of `load run` on a terminal: elapsed/total, RPS, errors, and p95 per segment. */
export function LoadProgress({ snapshot, target, executor }: LoadProgressProps) {
  const done = snapshot.durationMs > 0 ? Math.min(1, snapshot.elapsedMs / snapshot.durationMs) : 0;
  const filled = Math.round(done * barWidth);
  return (
    <Box flexDirection="column">
      <Text>
        load <Text bold>{target}</Text> <Text dimColor>({executor})</Text>
      </Text>
      <Text>
        <Text color="green">{'█'.repeat(filled)}</Text>
        <Text dimColor>{'░'.repeat(barWidth - filled)}</Text> {formatClock(snapshot.elapsedMs)}/
        {formatClock(snapshot.durationMs)}
        {'  '}
        {snapshot.rps} req/s{'  '}
        <Text color={snapshot.errors > 0 ? 'red' : undefined}>
          {snapshot.errors} errors ({formatShare(snapshot.errors, snapshot.requests)})
        </Text>
        {'  '}
        <Text color={snapshot.dropped > 0 ? 'yellow' : undefined}>{snapshot.dropped} dropped</Text>
      </Text>
      <Box flexDirection="column" marginTop={1}>
        <Text dimColor>
          {'SEGMENT'.padEnd(10)}
          {'REQUESTS'.padStart(9)}
          {'ERRORS'.padStart(8)}
          {'P95 (LAST SECOND)'.padStart(19)}
        </Text>
        {snapshot.segments.map((s) => (
          <Text key={s.segment}>
            {s.segment.padEnd(10)}
            {String(s.requests).padStart(9)}
            <Text color={s.errors > 0 ? 'red' : undefined}>{String(s.errors).padStart(8)}</Text>
            {formatMs(s.p95Ms).padStart(19)}
          </Text>
        ))}
      </Box>
    </Box>
  );
}

/**
 * The live view on a terminal stream (stderr, so stdout stays free for `--json`). It mounts before
 * the run starts, so the first layout does not stall the event loop while requests are timed. Ctrl+C
 * is left to the command, which stops the run and still writes the results.
 */
export function inkProgress(stream: NodeJS.WriteStream, props: LoadProgressProps): ProgressDisplay {
  const instance = render(<LoadProgress {...props} />, {
    stdout: stream,
    stderr: stream,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  return {
    update: (snapshot) => instance.rerender(<LoadProgress {...props} snapshot={snapshot} />),
    stop: () => instance.unmount(),
  };
}
