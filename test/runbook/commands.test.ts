import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import type { Handler } from '../../src/cli-groups/types.js';
import { commandContext, repoRoot } from './helpers.js';

/** argv in, exit code and output out, through the real command tree with the runbook group on it. */
async function shopsre(argv: string[], terminal: { isTTY: boolean; env?: Record<string, string> }) {
  const { ctx, stdout, stderr } = commandContext(repoRoot, terminal.env);
  const io = { ...ctx.io, isTTY: terminal.isTTY };
  let handler: Handler | undefined;
  const select = (chosen: Handler): void => {
    handler = chosen;
  };
  const program = buildProgram(io, select);
  await program.parseAsync(argv, { from: 'user' });
  if (!handler) throw new Error('no handler chosen');
  const code = await handler({ ...ctx, io });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const escape = '\u001b[';

describe('runbook list and show', () => {
  it('lists every shipped runbook with what it serves, as JSON too', async () => {
    const { code, stdout } = await shopsre(['runbook', 'list', '--json'], { isTTY: false });
    expect(code).toBe(0);
    const { runbooks } = JSON.parse(stdout) as {
      runbooks: { name: string; alerts: string[]; faults: string[] }[];
    };
    expect(runbooks).toHaveLength(13);
    expect(runbooks.find((r) => r.name === 'payment-vendor-outage')?.faults).toEqual(['vendor-outage']);
    const table = await shopsre(['runbook', 'list'], { isTTY: false });
    expect(table.stdout).toMatch(
      /^checkout-availability\s+CheckoutAvailabilityBudgetBurn\s+\d+\/\d+\s+checkout team\s+2026-12-07$/m,
    );
  });

  it('shows a runbook by alert name with the labels filled in, colour only on a terminal without NO_COLOR', async () => {
    const args = ['runbook', 'show', 'CheckoutAvailabilityBudgetBurn', '--label', 'segment=vip'];
    const coloured = await shopsre(args, { isTTY: true });
    expect(coloured.stdout).toContain(escape);
    const noColor = await shopsre(args, { isTTY: true, env: { NO_COLOR: '1' } });
    const piped = await shopsre(args, { isTTY: false });
    for (const plain of [noColor.stdout, piped.stdout]) {
      expect(plain).not.toContain(escape);
      expect(plain).toContain('Checkout availability: the error budget is burning');
      expect(plain).toContain("vip segment's SLO allows");
      expect(plain).toMatch(
        /^▶ readiness \(readonly, timeout 10s, expects exit 0, output matching \/"ready":true\/\)$/m,
      );
      expect(plain).toContain('▶ [mutating] revert-faults (mutating, timeout 1m, expects exit 0)');
      expect(plain).toContain('  $ shopsre chaos revert --all');
    }
  });

  it('names the closest runbook when the name is misspelt', async () => {
    await expect(shopsre(['runbook', 'show', 'payment-vendor-outgae'], { isTTY: false })).rejects.toThrow(
      /no runbook named "payment-vendor-outgae".*did you mean "payment-vendor-outage"/,
    );
  });
});
