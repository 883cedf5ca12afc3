import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/core/errors.js';
import { runRunbookRun } from '../../src/commands/runbook-run.js';
import { loadRunbooks } from '../../src/runbook/load-runbooks.js';
import { runReadOnlySteps } from '../../src/runbook/run-readonly.js';
import { runbookText } from './builders.js';
import { checkoutShopsre, commandContext, noSignals } from './helpers.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-runbook-readonly-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));
const dir = join(workdir, 'runbooks');
mkdirSync(dir);
const marker = join(workdir, 'mutated');
writeFileSync(
  join(dir, 'checkout.md'),
  runbookText({
    steps: [
      { attributes: '{name=segment readonly}', command: 'echo "segment=$SEGMENT slo=$SLO"' },
      { attributes: '{name=shopsre-itself readonly timeout=1m}', command: 'shopsre --version' },
      {
        attributes: '{name=secret readonly}',
        command: 'echo "key $SHOPSRE_VENDOR_PRIMARY_KEY card 4111 1111 1111 1111"',
      },
      { attributes: '{name=prometheus readonly}', command: 'echo "$PROMETHEUS_URL"' },
      { attributes: '{name=change mutating}', command: `touch ${marker}`, section: 'Mitigation' },
    ],
  }),
);

const terminal = { shopsre: checkoutShopsre, signals: noSignals };

describe('runbook run --yes --readonly', () => {
  it('runs the read-only steps without prompts, never the mutating one, and records every step as a JSON line', async () => {
    const record = join(workdir, 'record.jsonl');
    const { ctx, stdout } = commandContext(workdir, { SHOPSRE_VENDOR_PRIMARY_KEY: 'sk_test_supersecret' });
    const code = await runRunbookRun(
      {
        key: 'CheckoutAvailabilityBudgetBurn',
        dir,
        labels: ['segment=vip', 'sloth_slo=checkout-availability'],
        yes: true,
        readonly: true,
        record,
      },
      ctx,
      terminal,
    );
    expect(stdout.text()).toContain('done: 3 passed, 0 failed, 2 skipped');
    expect(code).toBe(ExitCode.ok);
    expect(existsSync(marker)).toBe(false);
    const lines = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((r) => [r.step, r.outcome])).toEqual([
      ['segment', 'passed'],
      ['shopsre-itself', 'passed'],
      ['secret', 'passed'],
      ['prometheus', 'skipped'],
      ['change', 'skipped'],
    ]);
    expect(lines[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof lines[0]?.durationMs).toBe('number');
    expect({ ...lines[0], time: 'T', durationMs: 0 }).toEqual({
      time: 'T',
      runbook: 'checkout',
      step: 'segment',
      effect: 'readonly',
      command: 'echo "segment=vip slo=checkout-availability"',
      outcome: 'passed',
      exitCode: 0,
      durationMs: 0,
      check: { exitCode: 0, passed: true },
      output: 'segment=vip slo=checkout-availability',
    });
    expect(lines[1]?.output).toMatch(/^\d+\.\d+\.\d+/);
    expect(lines[2]?.output).toBe('key [REDACTED] card [REDACTED card number]');
    expect(lines[3]?.reason).toBe('no value for $PROMETHEUS_URL');
    expect(lines[4]?.reason).toMatch(/^mutating/);
  });

  it('refuses --yes without --readonly: a mutating step needs a person', async () => {
    const { ctx } = commandContext(workdir);
    await expect(
      runRunbookRun({ key: 'checkout', dir, labels: [], yes: true, readonly: false }, ctx, terminal),
    ).rejects.toThrow(UsageError);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses to prompt without a terminal', async () => {
    const { ctx } = commandContext(workdir);
    await expect(
      runRunbookRun({ key: 'checkout', dir, labels: [], yes: false, readonly: false }, ctx, terminal),
    ).rejects.toThrow(/needs a terminal; in scripts use --yes --readonly/);
  });

  it('opens the runbook of the first firing alert of an Alertmanager webhook payload, with its labels', async () => {
    const payload = join(workdir, 'webhook.json');
    writeFileSync(
      payload,
      JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [
          { status: 'resolved', labels: { alertname: 'CheckoutAvailabilityBudgetBurn', segment: 'guest' } },
          { status: 'firing', labels: { alertname: 'Unrelated' } },
          {
            status: 'firing',
            labels: {
              alertname: 'CheckoutAvailabilityBudgetBurn',
              segment: 'member',
              sloth_slo: 'checkout-availability',
            },
          },
        ],
      }),
    );
    const record = join(workdir, 'webhook.jsonl');
    const { ctx, stderr } = commandContext(workdir);
    const code = await runRunbookRun(
      { alertFile: payload, dir, labels: [], yes: true, readonly: true, record },
      ctx,
      terminal,
    );
    expect(code).toBe(ExitCode.ok);
    expect(stderr.text()).toContain(
      'alert CheckoutAvailabilityBudgetBurn {segment="member", sloth_slo="checkout-availability"} → runbook checkout',
    );
    expect(readFileSync(record, 'utf8')).toContain(
      '"command":"echo \\"segment=member slo=checkout-availability\\""',
    );
  });

  it('reports a malformed webhook payload at its line and column', async () => {
    const payload = join(workdir, 'bad-webhook.json');
    writeFileSync(
      payload,
      '{\n  "alerts": [\n    { "status": "burning", "labels": { "alertname": "X" } }\n  ]\n}\n',
    );
    const { ctx } = commandContext(workdir);
    await expect(
      runRunbookRun({ alertFile: payload, dir, labels: [], yes: true, readonly: true }, ctx, terminal),
    ).rejects.toThrow(/bad-webhook\.json:3:17: /);
  });
});

describe('runReadOnlySteps (the game day drill API)', () => {
  it('hands each record to onStep as it ends, stops on the signal, and a failing check fails the record', async () => {
    const [runbook] = await loadRunbooks(dir);
    if (!runbook) throw new Error('no runbook');
    const failing = {
      ...runbook,
      steps: [{ ...runbook.steps[0]!, name: 'fails', command: 'echo nope; exit 2' }, ...runbook.steps],
    };
    const controller = new AbortController();
    const seen: string[] = [];
    const records = await runReadOnlySteps(
      failing,
      { segment: 'vip', sloth_slo: 'checkout-availability' },
      {
        env: { PATH: process.env.PATH },
        cwd: workdir,
        now: () => Date.parse('2026-12-07T10:00:00Z'),
        shopsre: checkoutShopsre,
        signal: controller.signal,
        onStep: (record) => {
          seen.push(`${record.step}:${record.outcome}`);
          if (record.step === 'segment') controller.abort();
        },
      },
    );
    expect(seen).toEqual(['fails:failed', 'segment:passed']);
    expect(records[0]).toMatchObject({
      time: '2026-12-07T10:00:00.000Z',
      exitCode: 2,
      durationMs: 0,
      check: { passed: false },
      output: 'nope',
    });
  });
});
