import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readState } from '../../../src/chaos/state-file.js';
import { journalSchema } from '../../../src/gameday/journal.js';
import { shortened } from './support.js';
import { builtBinary as bin } from '../../helpers/built-binary.js';

/**
 * The terminal of a game day goes away in the middle of its faults (an ssh session dropped): the
 * process gets SIGHUP, its output has nowhere to go, and it must still revert every fault and
 * leave its journal, as on Ctrl+C. The built binary, in its own process, as a user runs it.
 */

describe('a game day whose terminal hangs up', () => {
  it('reverts every fault and writes a journal marked interrupted (exit 1), its output gone', async () => {
    const work = mkdtempSync(join(tmpdir(), 'shopsre-hangup-'));
    const scenario = shortened('both-vendors-down', work);
    // What is tested is the hangup in the middle of the faults, not the store's steady state: on a
    // machine busy with other suites a baseline can miss it, and the run would then inject nothing.
    const doc = parse(readFileSync(scenario, 'utf8')) as Record<string, unknown>;
    delete doc.steadyState;
    writeFileSync(scenario, stringify(doc));
    const out = join(work, 'out');
    const state = join(work, 'state.json');
    const child = spawn(
      process.execPath,
      [bin, 'gameday', 'run', scenario, '--no-prometheus', '--out', out, '--state', state],
      { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no fault verified within 60 s:\n${stderr}`)), 60_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/vendor-outage verified/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        } else if (/phase report begins/.test(stderr)) {
          clearTimeout(timer);
          reject(new Error(`the run ended before any fault was verified:\n${stderr}`));
        }
      });
    });
    // The terminal is gone: nobody reads stdout or stderr any more, then the hangup arrives.
    child.stdout.destroy();
    child.stderr.destroy();
    child.kill('SIGHUP');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    const journal = journalSchema.parse(JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')));
    expect(journal.verdict.outcome).toBe('interrupted');
    expect(journal.faults.length).toBeGreaterThan(0);
    for (const fault of journal.faults) {
      expect(fault.revertedAtMs, fault.id).toBeDefined();
      expect(fault.end, fault.id).toBe('interrupted');
    }
    expect((await readState(state)).faults).toEqual([]);
    expect(readFileSync(join(out, 'postmortem.md'), 'utf8')).toMatch(/interrupted/i);
  }, 120_000);
});
