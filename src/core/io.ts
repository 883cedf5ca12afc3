/** The process boundary as data: argv handlers receive this instead of touching `process`. */
export interface Io {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stdout is an interactive terminal (colours, live progress). */
  readonly isTTY: boolean;
}

export interface Writer {
  write(chunk: string): unknown;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** Collects output in memory; for tests and for commands that render before printing. */
export function bufferWriter(): Writer & { text(): string } {
  const chunks: string[] = [];
  return {
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  };
}
