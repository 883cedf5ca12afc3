import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { InputError, type Finding } from '../core/errors.js';
import type { Runbook } from './model.js';
import { parseRunbook } from './parse-runbook.js';

/** The filesystem as the loader needs it; tests pass an in-memory one. */
export interface RunbookFileSystem {
  list(dir: string): Promise<string[]>;
  readText(path: string): Promise<string>;
}

const nodeFileSystem: RunbookFileSystem = {
  list: (dir) => readdir(dir),
  readText: (path) => readFile(path, 'utf8'),
};

export interface ReadRunbooksOptions {
  /** Paths in findings are shown relative to this directory; default: as given. */
  readonly cwd?: string;
  readonly fs?: RunbookFileSystem;
}

/**
 * Every runbook of a folder (`*.md`, README.md aside), with every finding of every file and the
 * rules that span files: an alert or a fault served by two runbooks is ambiguous at 3 a.m.
 */
export async function readRunbooks(
  dir: string,
  options: ReadRunbooksOptions = {},
): Promise<{ runbooks: Runbook[]; findings: Finding[] }> {
  const fs = options.fs ?? nodeFileSystem;
  const names = (await fs.list(dir))
    .filter((file) => file.endsWith('.md') && file.toLowerCase() !== 'readme.md')
    .sort();
  const runbooks: Runbook[] = [];
  const findings: Finding[] = [];
  for (const file of names) {
    const path = join(dir, file);
    const display = options.cwd === undefined ? path : relative(options.cwd, path) || path;
    const parsed = parseRunbook(display, basename(file, '.md'), await fs.readText(path));
    findings.push(...parsed.findings);
    if (parsed.runbook) runbooks.push(parsed.runbook);
  }
  findings.push(...claimedTwice(runbooks, (r) => r.alerts, 'alert'));
  findings.push(...claimedTwice(runbooks, (r) => r.faults, 'fault'));
  return { runbooks, findings };
}

/** `readRunbooks`, failing with every finding (exit 2) when any file is invalid. */
export async function loadRunbooks(dir: string, options: ReadRunbooksOptions = {}): Promise<Runbook[]> {
  const { runbooks, findings } = await readRunbooks(dir, options);
  if (findings.length > 0) throw new InputError(findings);
  return runbooks;
}

function claimedTwice(
  runbooks: readonly Runbook[],
  names: (runbook: Runbook) => readonly string[],
  what: string,
): Finding[] {
  const owner = new Map<string, Runbook>();
  const findings: Finding[] = [];
  for (const runbook of runbooks) {
    for (const name of names(runbook)) {
      const first = owner.get(name);
      if (first) {
        findings.push({
          location: { file: runbook.file, line: 1, col: 1 },
          message: `${what} "${name}" is already served by ${first.file}: one runbook per ${what}`,
        });
      } else owner.set(name, runbook);
    }
  }
  return findings;
}
