import type { Slo } from '../slo/model.js';
import type { Runbook } from './model.js';

/**
 * The `runbook_url` of each alert a runbook serves: `base` (a repository URL, say) plus
 * `runbooks/<name>.md`.
 */
export function runbookUrls(runbooks: readonly Runbook[], base: string): Map<string, string> {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const urls = new Map<string, string>();
  for (const runbook of runbooks) {
    for (const alert of runbook.alerts) {
      if (!urls.has(alert)) urls.set(alert, `${prefix}runbooks/${encodeURIComponent(runbook.name)}.md`);
    }
  }
  return urls;
}

/**
 * The SLOs with `alerting.runbookUrl` set from `urls` (by alert name) where the spec names none: the
 * spec's own `runbook` still wins. What `slo generate --runbook-base` generates rules from.
 */
export function withRunbookUrls(slos: readonly Slo[], urls: ReadonlyMap<string, string>): Slo[] {
  return slos.map((slo) => {
    const url = urls.get(slo.alerting.name);
    if (slo.alerting.runbookUrl !== undefined || url === undefined) return slo;
    return { ...slo, alerting: { ...slo.alerting, runbookUrl: url } };
  });
}
