import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runGameDayCommand, type GameDayRunOptions } from '../../../src/commands/gameday-run.js';
import { systemClock } from '../../../src/core/clock.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import type { SignalSource } from '../../../src/commands/signals.js';
import type { ShopsreInvocation } from '../../../src/runbook/shopsre-shim.js';
import { journalSchema, type Journal } from '../../../src/gameday/journal.js';

/**
 * A shipped scenario with its phases shortened so an end-to-end game day fits in well under a
 * minute: everything else (faults, parameters, expectations, time scale) stays as shipped.
 */
export function shortened(name: string, dir: string): string {
  const doc = parse(readFileSync(new URL(`../../../scenarios/${name}.yaml`, import.meta.url), 'utf8')) as {
    phases: Record<string, unknown> & { inject: { faults?: { at?: string; for: string }[] } };
    expectations?: { kind: string; within?: string }[];
  };
  const faults = (doc.phases.inject.faults ?? []).map((f) => ({
    ...f,
    at: f.at === '5s' ? '2s' : (f.at ?? '0s'),
    for: '12s',
  }));
  doc.phases = {
    warmup: '4s',
    baseline: '8s',
    inject: { ...doc.phases.inject, duration: '15s', faults } as { faults: { at?: string; for: string }[] },
    recover: { timeout: '20s', hold: '3s' },
  };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

/**
 * A shipped scenario, shortened, aimed at a target of one's own: time-scaled like the embedded runs,
 * with a 10 s warm-up (a store that has served nothing yet is cold for its first seconds).
 */
export function aimedAt(name: string, target: Readonly<Record<string, string>>, dir: string): string {
  const file = shortened(name, dir);
  const doc = parse(readFileSync(file, 'utf8')) as { phases: Record<string, unknown> };
  const phases = { ...doc.phases, warmup: '10s' };
  writeFileSync(file, stringify({ ...doc, phases, target, timeScale: 60 }));
  return file;
}

export interface GameDayRun {
  readonly code: number;
  readonly journal: Journal;
  readonly outDir: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly statePath: string;
}

/** `shopsre gameday run` in this process, into a fresh folder; signals are the test's. */
export async function runGameDay(
  scenarioFile: string,
  options: Partial<GameDayRunOptions> & { signals?: SignalSource; shopsre?: ShopsreInvocation } = {},
): Promise<GameDayRun> {
  const work = mkdtempSync(join(tmpdir(), 'shopsre-gameday-'));
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  const outDir = join(work, 'out');
  const statePath = join(work, 'state.json');
  const { signals, shopsre, ...flags } = options;
  const code = await runGameDayCommand(
    {
      scenario: scenarioFile,
      json: false,
      prometheus: false,
      withPrometheus: false,
      out: outDir,
      state: statePath,
      ...flags,
    },
    {
      io: {
        stdout,
        stderr,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        cwd: work,
        isTTY: false,
      },
      clock: systemClock,
      logger: createLogger({ sink: stderr, clock: systemClock }),
    },
    { signals: signals ?? { on: () => undefined, off: () => undefined }, ...(shopsre ? { shopsre } : {}) },
  );
  const journal = journalSchema.parse(JSON.parse(readFileSync(join(outDir, 'journal.json'), 'utf8')));
  return { code, journal, outDir, stdout: stdout.text(), stderr: stderr.text(), statePath };
}
