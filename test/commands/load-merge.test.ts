import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoadMerge, type LoadMergeOptions } from '../../src/commands/load-merge.js';
import { fixedClock } from '../../src/core/clock.js';
import { ExitCode, InputError } from '../../src/core/errors.js';
import { bufferWriter } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import { Recorder } from '../../src/loadgen/recorder.js';
import { parseLoadResults } from '../../src/loadgen/results.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-load-merge-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** A results file of `requests` browse requests by guests, each taking `latencyMs`. */
function resultsFile(name: string, requests: number, latencyMs: number): string {
  const recorder = new Recorder({ latencyBucketsMs: [100] });
  for (let i = 0; i < requests; i++) {
    recorder.record(
      { step: 'browse', segment: 'guest', latencyMs, endedAtMs: i * 10, status: 200 },
      { firstOfIteration: true, firstOfStep: true },
    );
  }
  const results = recorder.toResults({
    id: name,
    startedAt: '2025-06-01T10:00:00.000Z',
    durationMs: 1000,
    target: 'http://127.0.0.1:8080',
    executor: 'constant-arrival-rate',
    seed: 1,
  });
  writeFileSync(join(workdir, name), JSON.stringify(results));
  return name;
}

async function merge(files: string[], options: LoadMergeOptions) {
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  const clock = fixedClock(0);
  const ctx = {
    io: { stdout, stderr, env: {}, cwd: workdir, isTTY: false },
    clock,
    logger: createLogger({ sink: stderr, clock }),
  };
  const code = await runLoadMerge(files, options, ctx);
  return { code, stdout: stdout.text() };
}

describe('shopsre load merge', () => {
  const fast = resultsFile('fast.json', 90, 10);
  const slow = resultsFile('slow.json', 10, 500);

  it('prints the merged document on stdout, with percentiles of the union of samples', async () => {
    const { code, stdout } = await merge([fast, slow], { json: false });
    expect(code).toBe(ExitCode.ok);
    const merged = parseLoadResults('stdout', stdout).results;
    expect(merged.totals.requests).toBe(100);
    expect(merged.totals.latencyBucketsMs['100']).toBe(90);
    expect(merged.totals.latencyMs.p90).toBeLessThan(11);
    expect(merged.totals.latencyMs.p95).toBeGreaterThan(499);
  });

  it('--out writes the document and prints the summary table instead', async () => {
    const { stdout } = await merge([fast, slow], { out: 'all.json', json: false });
    expect(stdout).toMatch(/^SEGMENT\s+STEP\s+REQUESTS/);
    const written = readFileSync(join(workdir, 'all.json'), 'utf8');
    expect(parseLoadResults('all.json', written).results.totals.requests).toBe(100);
  });

  it('refuses a file that is not a results document, naming file:line:col', async () => {
    writeFileSync(join(workdir, 'bad.json'), '{\n  "apiVersion": "shopsre/v1",\n  "kind": "SLO"\n}\n');
    await expect(merge([fast, 'bad.json'], { json: false })).rejects.toThrow(InputError);
    await expect(merge([fast, 'bad.json'], { json: false })).rejects.toThrow(
      /bad\.json:3:11: Invalid input: expected "LoadResults" \(at kind\)/,
    );
  });
});
