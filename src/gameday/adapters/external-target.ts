import { verifyThroughStore } from '../../../reference-store/src/verify/store-client.js';
import { controlClient } from '../../chaos/local/control-client.js';
import { EnvironmentError } from '../../core/errors.js';
import type { Slo } from '../../slo/model.js';
import { parseExposition } from '../alerts/exposition.js';
import { compileSli } from '../alerts/sli-query.js';
import type { RunningTarget } from '../runner/ports.js';
import { invariantOutcome } from './invariant-outcome.js';

export interface ExternalTargetOptions {
  readonly storeUrl: string;
  readonly metricsUrl: string;
  /** Control API of the user's fault proxies (`shopsre chaos proxy`, or `store serve`'s own). */
  readonly chaosUrl?: string;
  /** Proxies the scenario's faults act on (`vendor-primary`, `database`...): each must exist. */
  readonly faultTargets: readonly string[];
  /** The SLOs the run evaluates: their metrics must be on the target's /metrics. */
  readonly slos: readonly Slo[];
  /** Bearer token for the store's /admin/* (SHOPSRE_ADMIN_TOKEN), needed off loopback. */
  readonly adminToken?: string;
  /** Hosts beyond loopback named with `--allow-target` (the fault proxies' host among them). */
  readonly allowHosts: readonly string[];
  /** Per check; default 5 s. */
  readonly timeoutMs?: number;
}

export interface ExternalTarget extends RunningTarget {
  readonly chaosUrl?: string;
}

/**
 * A store of the user's own, checked before anything is sent: it answers `/healthz`, its metrics
 * parse and carry the series the SLOs read, and the fault proxies have a link for every fault the
 * scenario plans. Nothing is started or stopped here; `verify` asks the store itself
 * (`/admin/verify`, as `store verify --url` does), and there is no ledger to read the books from, so
 * the postmortem says which figures it could not measure.
 */
export async function checkExternalTarget(options: ExternalTargetOptions): Promise<ExternalTarget> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const get = async (url: string, what: string): Promise<string> => {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new EnvironmentError(
        `the target's ${what} at ${url} is unreachable: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new EnvironmentError(`the target's ${what} at ${url} answered HTTP ${response.status}`);
    return text;
  };
  const storeUrl = options.storeUrl.replace(/\/$/, '');
  await get(`${storeUrl}/healthz`, 'store');

  const exposition = parseExposition(await get(options.metricsUrl, 'metrics'));
  if (!exposition.ok) {
    throw new EnvironmentError(
      `the target's metrics at ${options.metricsUrl} are not the Prometheus text format: ${exposition.reason}`,
    );
  }
  const present = new Set(exposition.value.map((s) => s.name));
  const wanted = new Set(
    options.slos.flatMap((slo) => {
      const queries = compileSli(slo);
      return queries.ok ? queries.value.selectors.map((s) => s.metric) : [];
    }),
  );
  const missing = [...wanted].filter((name) => !present.has(name));
  if (wanted.size > 0 && missing.length === wanted.size) {
    throw new EnvironmentError(
      `the target's metrics at ${options.metricsUrl} carry none of the series its SLOs read (${[...wanted].join(', ')}): is metricsUrl the store's /metrics?`,
    );
  }

  if (options.chaosUrl !== undefined) {
    const proxies = await controlClient(options.chaosUrl, {
      timeoutMs,
      allowHosts: options.allowHosts,
    }).proxies();
    const absent = [...new Set(options.faultTargets)].filter((name) => !(name in proxies));
    if (absent.length > 0) {
      throw new EnvironmentError(
        `the fault proxies at ${options.chaosUrl} have no link named ${absent.join(', ')} (they have ${Object.keys(proxies).join(', ') || 'none'}): add one with shopsre chaos proxy --link NAME=LISTEN=UPSTREAM`,
      );
    }
  }

  return {
    kind: 'external',
    storeUrl,
    metricsUrl: options.metricsUrl,
    storeVersion: `your store at ${storeUrl}`,
    ...(options.chaosUrl === undefined ? {} : { chaosUrl: options.chaosUrl }),
    async verify() {
      const report = await verifyThroughStore({
        url: storeUrl,
        reconcile: true,
        ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
      });
      return invariantOutcome(report);
    },
    stop: () => Promise.resolve(),
  };
}
