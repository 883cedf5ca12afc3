import { abortableSleep } from '../core/clock.js';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { InputError } from '../core/errors.js';
import { faultNames } from './catalogue.js';
import type { FaultHandle } from './driver.js';

/**
 * `.shopsre/state.json`: every fault a run has injected or is about to inject, written before it is
 * injected and removed once it is reverted. A run killed with SIGKILL leaves its entries behind; the
 * next `chaos inject` or `chaos revert` finds them (their pid is gone) and reverts them.
 */
const handleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('local'),
    controlUrl: z.string(),
    toxics: z.array(z.object({ proxy: z.string(), toxic: z.string() })),
  }),
  z.object({
    kind: z.literal('kubernetes'),
    kubeconfig: z.string().optional(),
    objects: z.array(z.object({ kind: z.string(), namespace: z.string(), name: z.string() })),
  }),
]);

const faultSchema = z.object({
  id: z.string(),
  runId: z.string(),
  pid: z.number().int(),
  fault: z.enum(faultNames),
  target: z.enum(['local', 'kubernetes']),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  durationMs: z.number(),
  status: z.enum(['injecting', 'active']),
  startedAt: z.string(),
  expiresAt: z.string(),
  verifiedAt: z.string().optional(),
  handle: handleSchema,
});

const stateSchema = z.object({ version: z.literal(1), faults: z.array(faultSchema) });

export type ActiveFault = Omit<z.infer<typeof faultSchema>, 'handle'> & { readonly handle: FaultHandle };
export interface ChaosState {
  readonly version: 1;
  readonly faults: readonly ActiveFault[];
}

const emptyState: ChaosState = { version: 1, faults: [] };

export async function readState(path: string): Promise<ChaosState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw stateError(path, 'not JSON');
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) throw stateError(path, parsed.error.issues[0]?.message ?? 'unexpected shape');
  return parsed.data;
}

/**
 * Read, change and write the state under a lock file, so two shopsre processes never lose each
 * other's entries. The write is atomic (a temporary file renamed over the old one).
 */
export async function updateState(
  path: string,
  change: (state: ChaosState) => ChaosState,
): Promise<ChaosState> {
  await mkdir(dirname(path), { recursive: true });
  const release = await lock(`${path}.lock`);
  try {
    const next = change(await readState(path));
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`);
    await rename(temporary, path);
    return next;
  } finally {
    await release();
  }
}

async function lock(path: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than 30 s belongs to a process that died holding it.
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 30_000) await rm(path, { force: true });
      else if (Date.now() > deadline) throw new Error(`${path}: locked by another shopsre process for 10 s`);
      else await abortableSleep(25);
    }
  }
}

function stateError(path: string, why: string): InputError {
  return new InputError([
    {
      location: { file: path, line: 1, col: 1 },
      message: `not a shopsre chaos state file (${why}); remove it after checking no fault is active`,
    },
  ]);
}

/** Whether the process that wrote an entry still runs. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process stays a zombie until its parent reaps it: dead for our purpose.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
