import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, type ExitCode } from '../core/errors.js';
import { webhookAlerts } from '../runbook/firing-alerts.js';
import { findRunbook, runbookForAlert } from '../runbook/lookup.js';
import type { CommandContext } from './context.js';
import {
  loadRunbookDir,
  parseLabels,
  runRunbook,
  type RunbookSessionFlags,
  type RunbookTerminal,
} from './runbook-session.js';

export interface RunbookRunOptions extends RunbookSessionFlags {
  /** A runbook name, an alert name or a fault name. */
  readonly key?: string;
  /** An Alertmanager webhook payload: its first firing alert with a runbook is opened. */
  readonly alertFile?: string;
  readonly labels: readonly string[];
}

/** `runbook run <name | alert>` or `runbook run --alert-file FILE`. */
export async function runRunbookRun(
  options: RunbookRunOptions,
  ctx: CommandContext,
  terminal: RunbookTerminal = {},
): Promise<ExitCode> {
  const { io } = ctx;
  if ((options.key === undefined) === (options.alertFile === undefined)) {
    throw new UsageError(
      'runbook run takes a runbook (name or alert name) or --alert-file FILE, one of them',
    );
  }
  const runbooks = await loadRunbookDir(options.dir, io.cwd);
  const flagLabels = parseLabels(options.labels);
  if (options.key !== undefined) {
    return runRunbook(findRunbook(runbooks, options.key), flagLabels, options, ctx, terminal);
  }
  const file = options.alertFile ?? '';
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(
      `--alert-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const firing = webhookAlerts(file, text);
  const match = firing.flatMap((alert) => {
    const runbook = runbookForAlert(runbooks, alert.name);
    return runbook ? [{ alert, runbook }] : [];
  })[0];
  if (!match) {
    const names = firing.map((a) => a.name).join(', ') || 'none firing';
    throw new UsageError(`--alert-file ${file}: no firing alert has a runbook (alerts: ${names})`);
  }
  const { alert, runbook } = match;
  io.stderr.write(`alert ${alert.name} ${formatLabels(alert.labels)} → runbook ${runbook.name}\n`);
  return runRunbook(runbook, { ...alert.labels, ...flagLabels }, options, ctx, terminal);
}

export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const shown = Object.entries(labels).filter(([name]) => name !== 'alertname');
  return `{${shown.map(([name, value]) => `${name}="${value}"`).join(', ')}}`;
}
