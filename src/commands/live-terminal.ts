import type { Io, Writer } from '../core/io.js';

/**
 * The terminal a live ink view draws on, or undefined for plain lines: stdout and stderr are both
 * terminals (a redirected stdout means a script reads the result), and `CI` is not `true`.
 */
export function liveTerminal(io: Io): NodeJS.WriteStream | undefined {
  if (!io.isTTY || io.env.CI === 'true') return undefined;
  return terminalOf(io.stderr);
}

/**
 * The stream as a terminal ink can draw on (columns to lay out in, resize events), or undefined for a
 * file or a pipe. Read from what the stream offers rather than its class, so a terminal stand-in works.
 */
function terminalOf(stream: Writer): NodeJS.WriteStream | undefined {
  const candidate = stream as Partial<NodeJS.WriteStream>;
  const isTerminal =
    candidate.isTTY === true && typeof candidate.columns === 'number' && typeof candidate.on === 'function';
  return isTerminal ? (stream as NodeJS.WriteStream) : undefined;
}
