import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** How to start the running shopsre again: a program and the arguments before the user's. */
export interface ShopsreInvocation {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * This process's node and script, with its node flags (`--import tsx` in a checkout): `shopsre` in a
 * step is then the very shopsre that runs the runbook, installed or not.
 */
export function currentShopsre(): ShopsreInvocation {
  return { command: process.execPath, args: [...process.execArgv, process.argv[1] ?? ''] };
}

export interface ShopsreShim {
  /** PATH for a step: the shim's folder first, then the folder of its node, then `path`. */
  pathFor(path: string | undefined): string;
  dispose(): Promise<void>;
}

/** Writes a `shopsre` script into a fresh temporary folder; `dispose()` removes it. */
export async function createShopsreShim(invocation: ShopsreInvocation): Promise<ShopsreShim> {
  const dir = await mkdtemp(join(tmpdir(), 'shopsre-runbook-'));
  const words = [invocation.command, ...invocation.args].map(shellQuote).join(' ');
  const script = join(dir, 'shopsre');
  await writeFile(script, `#!/bin/sh\nexec ${words} "$@"\n`);
  await chmod(script, 0o755);
  return {
    pathFor: (path) => [dir, dirname(invocation.command), ...(path ? [path] : [])].join(delimiter),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
