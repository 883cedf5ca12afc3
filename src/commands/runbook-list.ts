import { ExitCode } from '../core/errors.js';
import { alignTable } from '../core/text-table.js';
import type { CommandContext } from './context.js';
import { loadRunbookDir } from './runbook-session.js';

/** `runbook list`: every runbook with the alerts and faults it serves. */
export async function runRunbookList(
  options: { readonly dir?: string; readonly json: boolean },
  ctx: CommandContext,
): Promise<ExitCode> {
  const runbooks = await loadRunbookDir(options.dir, ctx.io.cwd);
  const entries = runbooks.map((r) => ({
    name: r.name,
    title: r.title,
    file: r.file,
    alerts: r.alerts,
    faults: r.faults,
    owner: r.owner,
    escalation: r.escalation,
    lastVerified: r.lastVerified,
    steps: {
      readonly: r.steps.filter((s) => s.effect === 'readonly').length,
      mutating: r.steps.filter((s) => s.effect === 'mutating').length,
    },
  }));
  if (options.json) {
    ctx.io.stdout.write(`${JSON.stringify({ runbooks: entries })}\n`);
    return ExitCode.ok;
  }
  const rows = entries.map((e) => [
    e.name,
    [...e.alerts, ...e.faults].join(', '),
    `${e.steps.readonly}/${e.steps.mutating}`,
    e.owner,
    e.lastVerified,
  ]);
  const lines = alignTable(
    ['RUNBOOK', 'SERVES', 'STEPS (RO/MUT)', 'OWNER', 'VERIFIED'],
    ['left', 'left', 'right', 'left', 'left'],
    rows,
  );
  ctx.io.stdout.write(
    `${lines.join('\n')}\n\nshopsre runbook show <name | alert> reads one; runbook run <name | alert> walks it.\n`,
  );
  return ExitCode.ok;
}
