import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterAll, describe, expect, it, vi } from 'vitest';

// ink decides when it is imported whether it runs in CI, and there it draws only the last frame (on
// unmount), so lastFrame() would stay empty while the runner waits for keys. This test is about a
// terminal, wherever it runs: hoisted above the imports, before ink reads the environment.
vi.hoisted(() => {
  process.env.CI = 'false';
  delete process.env.CONTINUOUS_INTEGRATION;
});
import type { Runbook } from '../../src/runbook/model.js';
import { parseRunbook } from '../../src/runbook/parse-runbook.js';
import { runStep, skippedStep } from '../../src/runbook/run-step.js';
import type { StepRecord } from '../../src/runbook/step-record.js';
import { RunbookRunner, type RunbookRunResult } from '../../src/ui/runbook-runner.js';
import { runbookText, type StepText } from './builders.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-runbook-ui-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

function runbookOf(steps: readonly StepText[]): Runbook {
  const { runbook, findings } = parseRunbook('t.md', 't', runbookText({ steps }));
  if (!runbook) throw new Error(JSON.stringify(findings));
  return runbook;
}

/** The runner wired to the real step runner (/bin/sh) in a scratch folder. */
function mount(runbook: Runbook) {
  const session = { env: { PATH: process.env.PATH }, cwd: workdir, now: () => Date.now() };
  const values = { SEGMENT: 'vip' };
  const records: StepRecord[] = [];
  let result: RunbookRunResult | undefined;
  const view = render(
    createElement(RunbookRunner, {
      runbook,
      values,
      execute: (step, signal) => runStep(runbook.name, step, values, session, signal),
      skip: (step, reason) => skippedStep(runbook.name, step, values, Date.now(), reason),
      onRecord: (record) => records.push(record),
      onDone: (done) => (result = done),
    }),
  );
  const frame = (): string => view.lastFrame() ?? '';
  // Generous: under a full suite on two cores a shell step can take seconds to start.
  const until = (text: string) => vi.waitFor(() => expect(frame()).toContain(text), { timeout: 30_000 });
  return { view, frame, until, records, result: () => result };
}

const enter = '\r';

describe('the runbook step runner', { timeout: 120_000 }, () => {
  it('runs a step on Enter with its placeholders filled, shows a failing check, asks before a mutating step and refuses it without y', async () => {
    const marker = join(workdir, 'mutated');
    const ui = mount(
      runbookOf([
        { attributes: '{name=hello readonly}', command: 'echo "hello $SEGMENT"' },
        { attributes: "{name=ready readonly match='ready'}", command: 'echo "not yet"; exit 3' },
        { attributes: '{name=change mutating}', command: `touch ${marker}`, section: 'Mitigation' },
      ]),
    );
    await ui.until(' · q stop'); // the runner listens for keys from here on
    expect(ui.frame()).toContain('step 1/3');
    expect(ui.frame()).toContain('$ echo "hello vip"');
    ui.view.stdin.write(enter);
    await ui.until('check passed');
    expect(ui.frame()).toContain('hello vip');

    ui.view.stdin.write(enter);
    await ui.until('step 2/3');
    ui.view.stdin.write(enter);
    await ui.until('check failed');
    expect(ui.frame()).toContain('check failed: exit 3, expected exit 0 and output matching /ready/');

    ui.view.stdin.write(enter);
    await ui.until('step 3/3');
    expect(ui.frame()).toContain('asks first: mutating');
    ui.view.stdin.write(enter);
    await ui.until('This step CHANGES the system');
    ui.view.stdin.write('n');
    await ui.until('Enter run (asks first: mutating)');
    ui.view.stdin.write('s');
    await ui.until('done: 1 passed, 1 failed, 1 skipped');

    expect(existsSync(marker)).toBe(false);
    expect(ui.records.map((r) => [r.step, r.outcome, r.exitCode])).toEqual([
      ['hello', 'passed', 0],
      ['ready', 'failed', 3],
      ['change', 'skipped', null],
    ]);
    expect(ui.records[0]?.command).toBe('echo "hello vip"');
    expect(ui.records[0]?.output).toBe('hello vip');
    expect(ui.result()).toEqual({ records: ui.records, stopped: false });
    ui.view.unmount();
  });

  it('runs a mutating step once the engineer types y', async () => {
    const marker = join(workdir, 'confirmed');
    const ui = mount(
      runbookOf([
        { attributes: '{name=change mutating}', command: `touch ${marker}`, section: 'Mitigation' },
      ]),
    );
    await ui.until(' · q stop'); // the runner listens for keys from here on
    ui.view.stdin.write(enter);
    await ui.until('This step CHANGES the system');
    ui.view.stdin.write('y');
    await ui.until('check passed');
    ui.view.stdin.write(enter);
    await ui.until('done: 1 passed, 0 failed, 0 skipped');
    expect(existsSync(marker)).toBe(true);
    ui.view.unmount();
  });

  it('stops a running step on q: its process group is killed and the rest does not run', async () => {
    const ui = mount(
      runbookOf([
        { attributes: '{name=slow readonly timeout=5m}', command: 'echo started; sleep 300' },
        { attributes: '{name=after readonly}', command: 'echo after' },
      ]),
    );
    await ui.until(' · q stop'); // the runner listens for keys from here on
    ui.view.stdin.write(enter);
    await ui.until('running… q stop');
    ui.view.stdin.write('q');
    await ui.until('stopped: 0 passed, 0 failed, 0 skipped, 2 not run');
    expect(ui.records).toEqual([
      expect.objectContaining({
        step: 'slow',
        outcome: 'stopped',
        exitCode: null,
        reason: 'stopped by the engineer',
      }),
    ]);
    expect(ui.result()?.stopped).toBe(true);
    ui.view.unmount();
  });

  it('skips a step on s and stops before running anything on q', async () => {
    const ui = mount(
      runbookOf([
        { attributes: '{name=first readonly}', command: 'echo first' },
        { attributes: '{name=second readonly}', command: 'echo second' },
      ]),
    );
    await ui.until(' · q stop'); // the runner listens for keys from here on
    ui.view.stdin.write('s');
    await ui.until('step 2/2');
    ui.view.stdin.write('q');
    await ui.until('stopped: 0 passed, 0 failed, 1 skipped, 1 not run');
    expect(ui.records.map((r) => [r.step, r.outcome, r.reason])).toEqual([
      ['first', 'skipped', 'skipped by the engineer'],
    ]);
    ui.view.unmount();
  });
});
