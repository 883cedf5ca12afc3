import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runCli } from '../../../src/cli.js';
import { startFaultProxyServer } from '../../../src/chaos/local/proxy/index.js';
import { bufferWriter } from '../../../src/core/io.js';
import { startStoreServe, type ServedStore, type StoreServeAddresses } from '../../helpers/store-serve.js';
import { aimedAt, runGameDay } from './support.js';

/**
 * A game day against a store of the user's own: `shopsre store serve` in another process (the built
 * binary), reached only over HTTP. Faults go through its fault proxies' control API (the same API
 * `shopsre chaos proxy` serves), invariants through its /admin/verify; nothing is started or
 * stopped by the game day, and nothing is read from the store's database.
 */
const work = mkdtempSync(join(tmpdir(), 'shopsre-external-'));
let served: ServedStore | undefined;
let addresses: StoreServeAddresses;

beforeAll(async () => {
  served = await startStoreServe();
  addresses = served.addresses;
}, 90_000);

afterAll(() => {
  served?.kill();
});

function aimed(name: string, target: Record<string, string>, dir = work): string {
  return aimedAt(name, target, dir);
}

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = bufferWriter();
  const code = await runCli(argv, {
    stdout: bufferWriter(),
    stderr,
    env: { PATH: process.env.PATH },
    cwd: work,
    isTTY: false,
  });
  return { code, stderr: stderr.text() };
}

describe('a game day against a store of your own', () => {
  it('vendor-outage through its fault proxies: held (exit 0), verified by its /admin/verify, no toxic left, the store left running', async () => {
    const result = await runGameDay(
      aimed('vendor-outage', {
        storeUrl: addresses.store,
        metricsUrl: addresses.metrics,
        chaosUrl: addresses.faultProxies ?? '',
      }),
    );
    const { journal } = result;
    expect(journal.verdict.reasons).toEqual([
      'the hypothesis held: steady state before and after, every expectation met, invariants hold',
    ]);
    expect(result.code).toBe(0);
    expect(journal.target).toMatchObject({ kind: 'external', storeUrl: addresses.store });
    const [fault] = journal.faults;
    expect(fault?.verification).toMatch(/vendor-primary: HTTP 503/);
    expect(fault?.end).toBe('completed');
    // The invariants came from the store's own /admin/verify, and chaos status is empty.
    expect(journal.invariants.checked).toBe(true);
    const names = journal.invariants.items.map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['paid-order-has-one-charge', 'no fault left']));
    expect(journal.invariants.items.every((i) => i.passed)).toBe(true);
    // No books to read: the failed value is not measured rather than zero, and the postmortem says so.
    expect(journal.impact.length).toBeGreaterThan(0);
    for (const row of journal.impact) {
      expect(row.failedValueMinor, row.segment).toBeUndefined();
      expect(row.source).toMatch(/^load generator/);
    }
    expect(readFileSync(join(result.outDir, 'postmortem.md'), 'utf8')).toContain('not measured');
    // Both views, per segment and second: the customers' checkouts and the servers' count agree
    // over the run (a request the load generator timed out may still be counted by the store).
    const { customers, servers } = journal.series;
    for (const segment of ['guest', 'member', 'vip']) {
      const sum = (values: readonly (number | null)[] | undefined): number =>
        (values ?? []).reduce<number>((n, v) => n + (v ?? 0), 0);
      const seen = sum(customers[segment]?.requests);
      const counted = sum(servers[segment]?.requests);
      expect(seen, segment).toBeGreaterThan(0);
      expect(Math.abs(seen - counted), `${segment}: ${seen} seen, ${counted} counted`).toBeLessThanOrEqual(
        Math.max(3, 0.1 * counted),
      );
    }
    // The proxies hold no toxic, and the store still serves: the game day does not own it.
    const proxies = (await (await fetch(`${addresses.faultProxies}/proxies`)).json()) as Record<
      string,
      { toxics: unknown[] }
    >;
    expect(Object.values(proxies).flatMap((p) => p.toxics)).toEqual([]);
    expect((await fetch(`${addresses.store}/healthz`)).status).toBe(200);
  }, 120_000);

  it('refuses fault proxies that lack a link a fault needs (exit 3), before anything is injected', async () => {
    const proxies = await startFaultProxyServer({ port: 0 });
    try {
      const file = aimed(
        'vendor-outage',
        { storeUrl: addresses.store, metricsUrl: addresses.metrics, chaosUrl: proxies.url },
        mkdtempSync(join(tmpdir(), 'shopsre-external-')),
      );
      const result = await cli(['gameday', 'run', file, '--no-prometheus', '--out', join(work, 'no-link')]);
      expect(result.stderr).toContain(
        `the fault proxies at ${proxies.url} have no link named vendor-primary`,
      );
      expect(result.code).toBe(3);
    } finally {
      await proxies.close();
    }
  });

  it('refuses a host beyond loopback without --allow-target (exit 2), naming the flag', async () => {
    const file = aimed(
      'vendor-outage',
      {
        storeUrl: 'http://192.0.2.10:8080',
        metricsUrl: 'http://192.0.2.10:8080/metrics',
        chaosUrl: 'http://127.0.0.1:8474',
      },
      mkdtempSync(join(tmpdir(), 'shopsre-external-')),
    );
    const result = await cli(['gameday', 'run', file, '--no-prometheus']);
    expect(result.stderr).toContain('add --allow-target 192.0.2.10');
    expect(result.code).toBe(2);
  });

  it('a store that does not answer is the environment (exit 3); --prometheus URL on the embedded store is a usage error (exit 2)', async () => {
    const file = aimed(
      'vendor-outage',
      {
        storeUrl: 'http://127.0.0.1:9',
        metricsUrl: 'http://127.0.0.1:9/metrics',
        chaosUrl: addresses.faultProxies ?? '',
      },
      mkdtempSync(join(tmpdir(), 'shopsre-external-')),
    );
    const down = await cli(['gameday', 'run', file, '--no-prometheus', '--out', join(work, 'down')]);
    expect(down.stderr).toContain("the target's store at http://127.0.0.1:9/healthz is unreachable");
    expect(down.code).toBe(3);
    const embedded = await cli(['gameday', 'run', 'vendor-outage', '--prometheus', 'http://127.0.0.1:9090']);
    expect(embedded.stderr).toContain('--prometheus URL is for a target of your own');
    expect(embedded.code).toBe(2);
  });
});
