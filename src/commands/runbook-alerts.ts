import { ExitCode, UsageError } from '../core/errors.js';
import { alignTable } from '../core/text-table.js';
import {
  fetchFiringAlerts,
  type AlertSource,
  type Fetch,
  type FiringAlert,
} from '../runbook/firing-alerts.js';
import { runbookForAlert } from '../runbook/lookup.js';
import type { CommandContext } from './context.js';
import { formatLabels } from './runbook-run.js';
import {
  loadRunbookDir,
  parseLabels,
  runRunbook,
  type RunbookSessionFlags,
  type RunbookTerminal,
} from './runbook-session.js';

export interface RunbookAlertsOptions extends RunbookSessionFlags {
  readonly alertmanager?: string;
  readonly prometheus?: string;
  /** Opens the firing alert with this number (as listed) or name, with its labels. */
  readonly open?: string;
  readonly labels: readonly string[];
  readonly json: boolean;
}

/**
 * `runbook alerts`: the alerts firing now (Alertmanager or Prometheus), each with its runbook; with
 * `--open N` the chosen alert's runbook runs with the alert's labels as placeholders.
 */
export async function runRunbookAlerts(
  options: RunbookAlertsOptions,
  ctx: CommandContext,
  terminal: RunbookTerminal & { readonly fetch?: Fetch } = {},
): Promise<ExitCode> {
  const { io } = ctx;
  const source = alertSource(options);
  const runbooks = await loadRunbookDir(options.dir, io.cwd);
  const firing = await fetchFiringAlerts(source, terminal.fetch ?? ((url, init) => fetch(url, init)));
  const rows = firing.map((alert, i) => ({
    number: i + 1,
    alert,
    runbook: runbookForAlert(runbooks, alert.name),
  }));

  if (options.open === undefined) {
    if (options.json) {
      const alerts = rows.map((r) => ({ ...r.alert, number: r.number, runbook: r.runbook?.name ?? null }));
      io.stdout.write(`${JSON.stringify({ source, alerts })}\n`);
      return ExitCode.ok;
    }
    if (rows.length === 0) {
      io.stdout.write(`no alerts firing at ${source.url}\n`);
      return ExitCode.ok;
    }
    const table = alignTable(
      ['#', 'ALERT', 'LABELS', 'SINCE', 'RUNBOOK'],
      ['right', 'left', 'left', 'left', 'left'],
      rows.map((r) => [
        String(r.number),
        r.alert.name,
        shortLabels(r.alert),
        r.alert.since ?? '-',
        r.runbook?.name ?? 'none',
      ]),
    );
    io.stdout.write(
      `${table.join('\n')}\n\nopen one: shopsre runbook alerts --${source.kind} ${source.url} --open <#>\n`,
    );
    return ExitCode.ok;
  }

  const chosen = rows.find((r) => String(r.number) === options.open || r.alert.name === options.open);
  if (!chosen) {
    throw new UsageError(
      `--open ${options.open}: no firing alert with that number or name (${rows.length} firing)`,
    );
  }
  if (!chosen.runbook) {
    throw new UsageError(
      `alert ${chosen.alert.name} has no runbook: shopsre runbook lint finds every such alert`,
    );
  }
  io.stderr.write(
    `alert ${chosen.alert.name} ${formatLabels(chosen.alert.labels)} → runbook ${chosen.runbook.name}\n`,
  );
  const flags =
    source.kind === 'prometheus' && options.prometheusUrl === undefined
      ? { ...options, prometheusUrl: source.url }
      : options;
  return runRunbook(
    chosen.runbook,
    { ...chosen.alert.labels, ...parseLabels(options.labels) },
    flags,
    ctx,
    terminal,
  );
}

function alertSource(options: RunbookAlertsOptions): AlertSource {
  if ((options.alertmanager === undefined) === (options.prometheus === undefined)) {
    throw new UsageError('runbook alerts reads from --alertmanager URL or --prometheus URL, one of them');
  }
  return options.alertmanager !== undefined
    ? { kind: 'alertmanager', url: options.alertmanager }
    : { kind: 'prometheus', url: options.prometheus ?? '' };
}

/** The labels a person triages by; the full set goes to the runbook. */
function shortLabels(alert: FiringAlert): string {
  const keep = ['segment', 'severity', 'sloth_slo', 'sloth_service'];
  return keep.flatMap((name) => (alert.labels[name] ? [`${name}=${alert.labels[name]}`] : [])).join(' ');
}
