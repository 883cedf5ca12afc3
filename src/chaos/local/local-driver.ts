import { systemClock, type Clock } from '../../core/clock.js';
import { EnvironmentError } from '../../core/errors.js';
import type { FaultSpec, FaultTarget } from '../catalogue.js';
import { markNotInjected, type ChaosDriver, type InjectionReport } from '../driver.js';
import { controlClient, type ProxyInfo, type ToxicRequest } from './control-client.js';
import { probeHttp, probePostgres, type ProbeResult } from './probe.js';

export interface LocalDriverOptions {
  /** The fault proxies' control API; `store serve` prints it (default http://127.0.0.1:8474). */
  readonly controlUrl: string;
  /**
   * A real PostgreSQL failover for `db-failover`: stop the primary and promote the replica (`promote`),
   * then new connections through the database proxy go to `replicaAddress`. Without it, db-failover is
   * the embedded kind: connections cut and refused for the window, then the same database again.
   */
  readonly databaseFailover?: { readonly replicaAddress: string; promote(): Promise<void> };
  /** How long a probe waits for an answer; default 1000 ms. */
  readonly probeTimeoutMs?: number;
  /** Extra life of a toxic past the fault's duration, in case the injector is slow to revert; default 5000 ms. */
  readonly ttlGraceMs?: number;
  /** Stamps `verifiedAt`; default the system clock. */
  readonly clock?: Clock;
  /** Hosts beyond loopback the control API may be on (named by the operator). */
  readonly allowHosts?: readonly string[];
}

/** What a catalogue fault becomes in the proxies: the toxics to add, and what a probe should see. */
interface LocalPlan {
  readonly proxy: FaultTarget;
  readonly toxics: readonly Omit<ToxicRequest, 'name' | 'ttlMs'>[];
  /** Undefined when probing would spend part of the fault (a share of calls, the first N). */
  readonly expect?: (result: ProbeResult) => boolean;
  readonly expectation: string;
  /** The fault's own window inside the proxy, when shorter than its duration (db-failover). */
  readonly ttlMs?: number;
}

/**
 * Faults carried out by the fault proxies in front of the store's dependencies: one toxic (or two)
 * per fault, each with a TTL kept by the proxy itself, then a probe through the proxy to see that it
 * took effect.
 */
export function localDriver(options: LocalDriverOptions): ChaosDriver {
  const allowHosts = options.allowHosts ?? [];
  const client = controlClient(options.controlUrl, { allowHosts });
  const probeTimeoutMs = options.probeTimeoutMs ?? 1000;
  return {
    target: 'local',
    plan(spec, faultId) {
      const plan = localPlan(spec, probeTimeoutMs);
      return {
        kind: 'local',
        controlUrl: client.url,
        toxics: plan.toxics.map((_, i) => ({ proxy: plan.proxy, toxic: `${faultId}-${i + 1}` })),
      };
    },
    async inject(spec, handle, signal) {
      if (handle.kind !== 'local') throw new Error('the local driver got a Kubernetes handle');
      const plan = localPlan(spec, probeTimeoutMs);
      const proxies = await client.proxies().catch((error: unknown) => {
        throw error instanceof Error ? markNotInjected(error) : error;
      });
      const proxy = proxies[plan.proxy];
      if (!proxy) {
        throw markNotInjected(
          new EnvironmentError(
            `no fault proxy "${plan.proxy}" at ${client.url} (it has ${Object.keys(proxies).join(', ') || 'none'})`,
          ),
        );
      }
      const ttlMs = plan.ttlMs ?? spec.durationMs + (options.ttlGraceMs ?? 5000);
      try {
        for (const [i, toxic] of plan.toxics.entries()) {
          const name = handle.toxics[i]?.toxic ?? `toxic-${i + 1}`;
          await client.addToxic(plan.proxy, { ...toxic, name, ttlMs });
        }
        if (spec.fault === 'db-failover' && options.databaseFailover) {
          await options.databaseFailover.promote();
          await client.setUpstream(plan.proxy, options.databaseFailover.replicaAddress);
        }
        signal.throwIfAborted();
        return await verify(plan, proxy, await client.proxies());
      } catch (error) {
        await this.revert(handle).catch(() => undefined);
        throw error;
      }
    },
    async revert(handle) {
      if (handle.kind !== 'local') return;
      const revertClient =
        handle.controlUrl === client.url ? client : controlClient(handle.controlUrl, { allowHosts });
      for (const { proxy, toxic } of handle.toxics) await revertClient.removeToxic(proxy, toxic);
    },
  };

  async function verify(
    plan: LocalPlan,
    proxy: ProxyInfo,
    after: Record<string, ProxyInfo>,
  ): Promise<InjectionReport> {
    const registered = after[plan.proxy]?.toxics.length ?? 0;
    if (registered < plan.toxics.length) {
      throw new EnvironmentError(
        `${plan.proxy}: the proxy lists ${registered} toxics after adding ${plan.toxics.length}`,
      );
    }
    if (!plan.expect) {
      return {
        verifiedAt: (options.clock ?? systemClock).now(),
        verification: `${plan.proxy}: registered in the proxy (${plan.expectation})`,
      };
    }
    const result =
      proxy.kind === 'tcp'
        ? await probePostgres(proxy.listen, probeTimeoutMs)
        : await probeHttp(proxy.listen, '/healthz', probeTimeoutMs);
    if (!plan.expect(result)) {
      throw new EnvironmentError(
        `${plan.proxy}: the fault did not take effect: expected ${plan.expectation}, the probe saw ${describe(result)}`,
      );
    }
    return {
      verifiedAt: (options.clock ?? systemClock).now(),
      verification: `probe through ${plan.proxy}: ${describe(result)} (${plan.expectation})`,
    };
  }
}

function localPlan(spec: FaultSpec, probeTimeoutMs: number): LocalPlan {
  const p = spec.params;
  const number = (key: string): number => Number(p[key]);
  const all = number('rate') === 1 || !('rate' in p);
  const everyCall = all && !(number('firstN') > 0);
  const partial = (expectation: string): Pick<LocalPlan, 'expectation'> => ({
    expectation: `not probed: ${expectation}, and a probe would spend a call of it`,
  });
  const sharing = {
    toxicity: 'rate' in p ? number('rate') : 1,
    ...(number('firstN') > 0 ? { firstN: number('firstN') } : {}),
  };
  const slowerThan = (ms: number) => (r: ProbeResult) => r.kind === 'answered' && r.ms >= ms;
  switch (spec.fault) {
    case 'vendor-outage': {
      const mode = String(p.mode);
      const toxic: Omit<ToxicRequest, 'name' | 'ttlMs'> =
        mode === 'hang'
          ? { type: 'hang', attributes: {} }
          : mode === 'reset'
            ? { type: 'abort', attributes: {} }
            : { type: 'status', attributes: { status: number('status') } };
      const expect =
        mode === 'hang'
          ? (r: ProbeResult) => r.kind === 'silent'
          : mode === 'reset'
            ? (r: ProbeResult) => r.kind === 'closed'
            : (r: ProbeResult) => r.kind === 'answered' && r.status === number('status');
      const expectation =
        mode === 'hang' ? 'no answer' : mode === 'reset' ? 'a reset' : `HTTP ${number('status')}`;
      return {
        proxy: spec.target,
        toxics: [{ ...toxic, ...sharing }],
        ...(everyCall
          ? { expect, expectation }
          : partial(`${expectation} for rate ${p.rate}, first ${p.firstN}`)),
      };
    }
    case 'vendor-latency':
    case 'cdn-slowness': {
      const floor = Math.max(0, number('latencyMs') - number('jitterMs'));
      return {
        proxy: spec.target,
        toxics: [
          {
            type: 'latency',
            attributes: { latency: number('latencyMs'), jitter: number('jitterMs') },
            ...sharing,
          },
        ],
        ...(everyCall && number('latencyMs') < probeTimeoutMs
          ? {
              expect: slowerThan(floor * 0.9),
              expectation: `an answer after at least ${Math.round(floor * 0.9)} ms`,
            }
          : partial(`latency ${p.latencyMs} ms`)),
      };
    }
    case 'vendor-throttle':
      return {
        proxy: spec.target,
        toxics: [
          { type: 'throttle', attributes: { retryAfterSeconds: number('retryAfterSeconds') }, ...sharing },
        ],
        ...(everyCall
          ? { expect: (r: ProbeResult) => r.kind === 'answered' && r.status === 429, expectation: 'HTTP 429' }
          : partial(`429 for rate ${p.rate}`)),
      };
    case 'cdn-origin-errors':
      return {
        proxy: spec.target,
        toxics: [{ type: 'status', attributes: { status: number('status') }, ...sharing }],
        ...(everyCall
          ? {
              expect: (r: ProbeResult) => r.kind === 'answered' && r.status === number('status'),
              expectation: `HTTP ${number('status')}`,
            }
          : partial(`HTTP ${p.status} for rate ${p.rate}`)),
      };
    case 'db-failover':
      return {
        proxy: 'database',
        toxics: [{ type: 'down', attributes: {} }],
        // The proxy lifts the cut itself when the window ends, even if this process is gone by then.
        ttlMs: Math.max(1, number('unavailableMs')),
        ...(number('unavailableMs') > 0
          ? { expect: (r: ProbeResult) => r.kind === 'closed', expectation: 'the connection closed at once' }
          : partial('a window of 0 ms')),
      };
    case 'db-latency': {
      const floor = Math.max(0, number('latencyMs') - number('jitterMs'));
      return {
        proxy: 'database',
        toxics: [
          {
            type: 'latency',
            stream: 'downstream',
            attributes: { latency: number('latencyMs'), jitter: number('jitterMs') },
          },
        ],
        ...(number('latencyMs') < probeTimeoutMs
          ? {
              expect: slowerThan(floor * 0.9),
              expectation: `an answer after at least ${Math.round(floor * 0.9)} ms`,
            }
          : partial(`latency ${p.latencyMs} ms`)),
      };
    }
    case 'partition': {
      const tcp = spec.target === 'database';
      return {
        proxy: spec.target,
        toxics: tcp
          ? [
              { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } },
              { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } },
            ]
          : [{ type: 'hang', attributes: {} }],
        expect: (r: ProbeResult) => r.kind === 'silent',
        expectation: 'no answer',
      };
    }
  }
}

function describe(result: ProbeResult): string {
  const ms = `${Math.round(result.ms)} ms`;
  if (result.kind === 'answered')
    return result.status === undefined ? `an answer after ${ms}` : `HTTP ${result.status} after ${ms}`;
  return result.kind === 'closed' ? `the connection closed after ${ms}` : `no answer in ${ms}`;
}
