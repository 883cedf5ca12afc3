import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCacheDir } from '../reference-store/support/test-store.js';
import { builtBinary as bin } from '../helpers/built-binary.js';
import { startStoreServe, type ServedStore, type StoreServeAddresses } from '../helpers/store-serve.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The CLI's own template (default customers and history) is kept between runs like the tests' ones.
const env = { ...process.env, XDG_CACHE_HOME: join(testCacheDir, 'xdg') };
// The vendors' secret keys, given to `store serve` and to `store verify --vendor` alike.
const vendorKeys = {
  SHOPSRE_VENDOR_PRIMARY_KEY: `sk_test_${randomBytes(12).toString('hex')}`,
  SHOPSRE_VENDOR_BACKUP_KEY: `sk_test_${randomBytes(12).toString('hex')}`,
};

type Addresses = StoreServeAddresses;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runCli(
  args: readonly string[],
  timeoutMs = 30_000,
  childEnv: NodeJS.ProcessEnv = env,
): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: childEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('shopsre store serve, then store verify against it', () => {
  let served: ServedStore | undefined;
  let serve: ChildProcess;
  let addresses: Addresses;

  beforeAll(async () => {
    served = await startStoreServe({ args: ['--products', '300'], env: vendorKeys });
    serve = served.child;
    addresses = served.addresses;
  }, 90_000);

  afterAll(() => {
    served?.kill();
  });

  it('takes a vip shopper through cart and checkout, counted by segment in /metrics', async () => {
    const headers = { 'x-session-id': `cli-${process.pid}-${Date.now()}`, 'x-customer-segment': 'vip' };
    const added = await fetch(`${addresses.store}/api/cart/items`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ productId: 'p-00001', quantity: 1 }),
    });
    expect(added.status).toBe(201);
    const checkout = await fetch(`${addresses.store}/api/checkout`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `cli-key-${Date.now()}` },
      body: JSON.stringify({ paymentToken: 'tok_visa' }),
    });
    expect(checkout.status).toBe(201);
    const metrics = await (await fetch(addresses.metrics)).text();
    expect(metrics).toMatch(/^http_requests_total\{[^}]*segment="vip"[^}]*\} [1-9]\d*$/m);
  });

  it('verify --url reports that the invariants hold (exit 0)', async () => {
    const result = await runCli(['store', 'verify', '--url', addresses.store]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('invariants hold');
  });

  it('verify --url --json prints a parseable report', async () => {
    const result = await runCli(['store', 'verify', '--url', addresses.store, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      counts: { orders: Record<string, number>; charges: Record<string, number> };
      violations: unknown[];
    };
    expect(report).toMatchObject({ ok: true, violations: [] });
    expect(report.counts.orders.paid).toBeGreaterThanOrEqual(1);
    expect(Object.keys(report.counts.charges).sort()).toEqual(['backup', 'primary']);
  });

  it('verify --database-url checks the database the JSON line names (exit 0)', async () => {
    const result = await runCli(['store', 'verify', '--database-url', addresses.database]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('invariants hold');
  });

  interface JsonReport {
    ok: boolean;
    counts: { charges: Record<string, number>; refunds: Record<string, number> };
    skipped: string[];
    violations: { invariant: string; detail: string }[];
  }

  const vendorFlags = (): string[] => addresses.vendors.flatMap((v) => ['--vendor', `${v.name}=${v.url}`]);
  const verifyWithVendors = (...extra: string[]): Promise<CliResult> =>
    runCli(['store', 'verify', '--database-url', addresses.database, ...vendorFlags(), ...extra], 30_000, {
      ...env,
      ...vendorKeys,
    });

  /** Calls the serving store's primary vendor simulator as its owner would, with its key. */
  async function callPrimary(path: string, body: unknown, idempotencyKey: string): Promise<Response> {
    const primary = addresses.vendors.find((v) => v.name === 'primary');
    return fetch(`${primary?.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${vendorKeys.SHOPSRE_VENDOR_PRIMARY_KEY}`,
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify(body),
    });
  }

  it('verify --database-url without --vendor says charges are not checked, and exits 0 for what it checked', async () => {
    const text = await runCli(['store', 'verify', '--database-url', addresses.database]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^charges +not checked$/m);
    expect(text.stdout).toContain(
      'charges not checked (paid-order-has-one-charge, charge-has-paid-order-or-refund)',
    );
    const json = await runCli(['store', 'verify', '--database-url', addresses.database, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.ok).toBe(true);
    expect(report.counts.charges).toEqual({});
    expect(report.skipped).toContainEqual(expect.stringContaining('charges not checked'));
  });

  it('verify --database-url --vendor checks charges against the live vendors: a charge without a paid order fails (exit 1) until it is refunded (exit 0)', async () => {
    const clean = await verifyWithVendors('--json');
    expect(clean.code).toBe(0);
    const before = JSON.parse(clean.stdout) as JsonReport;
    expect(before.ok).toBe(true);
    expect(before.skipped.filter((s) => s.startsWith('charges'))).toEqual([]);
    expect(Object.keys(before.counts.charges).sort()).toEqual(['backup', 'primary']);
    expect(before.counts.charges.primary).toBeGreaterThanOrEqual(1);

    // A charge made at the vendor for an order the store never had.
    const created = await callPrimary(
      '/v1/payment_intents',
      { amount: 1234, currency: 'usd', paymentToken: 'tok_visa', metadata: { orderId: 'ord_cliOrphan' } },
      `cli-orphan-${process.pid}`,
    );
    expect(created.status).toBe(200);
    const intent = (await created.json()) as { id: string; latestCharge: string };

    const broken = await verifyWithVendors();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(
      `VIOLATION charge-has-paid-order-or-refund: primary ${intent.latestCharge}: order ord_cliOrphan is not a paid order`,
    );

    const refunded = await callPrimary(
      '/v1/refunds',
      { paymentIntent: intent.id },
      `cli-refund-${process.pid}`,
    );
    expect(refunded.status).toBe(200);
    const fixed = await verifyWithVendors('--json');
    expect(fixed.code).toBe(0);
    const after = JSON.parse(fixed.stdout) as JsonReport;
    expect(after).toMatchObject({ ok: true, violations: [] });
    expect(after.counts.charges.primary).toBe((before.counts.charges.primary ?? 0) + 1);
    expect(after.counts.refunds.primary).toBe((before.counts.refunds.primary ?? 0) + 1);
    expect((await verifyWithVendors()).stdout).toMatch(
      /^charges +primary \d+ \(\d+ refunded\), backup \d+$/m,
    );

    for (const result of [clean, broken, fixed]) {
      for (const key of Object.values(vendorKeys)) expect(result.stdout + result.stderr).not.toContain(key);
    }
  });

  it('verify --vendor without the vendor’s key in the environment exits 2 naming the variable', async () => {
    const result = await runCli(['store', 'verify', '--database-url', addresses.database, ...vendorFlags()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SHOPSRE_VENDOR_PRIMARY_KEY');
  });

  it('verify --vendor with a vendor that is not there exits 3 and says which ledger it could not read', async () => {
    const result = await runCli(
      [
        'store',
        'verify',
        '--database-url',
        addresses.database,
        '--vendor',
        `primary=http://127.0.0.1:${await closedPort()}`,
      ],
      30_000,
      { ...env, ...vendorKeys },
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('VIOLATION vendor-ledger-readable: primary');
  });

  it('stops on SIGTERM with exit 0, leaving no port of the store or its dependencies open', async () => {
    const exited = once(serve, 'exit') as Promise<[number | null, string | null]>;
    serve.kill('SIGTERM');
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('store serve did not exit within 15 s of SIGTERM')), 15_000),
    );
    const [code] = await Promise.race([exited, timeout]);
    expect(code).toBe(0);
    const urls = [
      addresses.store,
      addresses.database,
      addresses.cdnEdge,
      ...(addresses.cdnOrigin ? [addresses.cdnOrigin] : []),
      ...addresses.vendors.map((v) => v.url),
    ];
    for (const url of urls)
      expect({ url, refused: await refusesConnections(url) }).toEqual({ url, refused: true });
  }, 20_000);
});

describe('shopsre store: exit codes on bad input and unreachable stores', () => {
  it('serve --port 70000 exits 2 with a one-line message', async () => {
    const result = await runCli(['store', 'serve', '--port', '70000']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('--port')]);
  });

  it('serve with its fault proxies on a port already taken exits 3 and says which port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const result = await runCli(['store', 'serve', '--port', '0', '--chaos-port', String(port)]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`port ${port} (fault proxies) is in use`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('verify --url on a closed port exits 3', async () => {
    const result = await runCli(['store', 'verify', '--url', `http://127.0.0.1:${await closedPort()}`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cannot reach the store');
  });

  it('verify --acknowledged with a missing file exits 2', async () => {
    const result = await runCli(['store', 'verify', '--acknowledged', 'missing.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing.json');
  });
});
