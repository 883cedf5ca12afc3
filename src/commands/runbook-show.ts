import { ExitCode } from '../core/errors.js';
import { findRunbook } from '../runbook/lookup.js';
import { renderRunbook } from '../runbook/render-text.js';
import type { CommandContext } from './context.js';
import { loadRunbookDir, parseLabels, sessionValues, type RunbookSessionFlags } from './runbook-session.js';

/** `runbook show <name | alert | fault>`: the runbook for a terminal; colour only on a TTY without NO_COLOR. */
export async function runRunbookShow(
  options: { readonly key: string; readonly labels: readonly string[] } & Pick<
    RunbookSessionFlags,
    'dir' | 'storeUrl' | 'prometheusUrl' | 'sloFile'
  >,
  ctx: CommandContext,
): Promise<ExitCode> {
  const { io } = ctx;
  const runbook = findRunbook(await loadRunbookDir(options.dir, io.cwd), options.key);
  const labels = parseLabels(options.labels);
  const color = io.isTTY && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
  const values = sessionValues(labels, { ...options, yes: false, readonly: false }, io.cwd);
  io.stdout.write(renderRunbook(runbook, { color, values }));
  return ExitCode.ok;
}
