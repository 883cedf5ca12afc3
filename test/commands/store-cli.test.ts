import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCacheDir } from '../reference-store/support/test-store.js';

// Runs the bundle that `npm test` builds first.
const bin = fileURLToPath(new URL('../../dist/shopsre.js', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
// The CLI's own template (default customers and history) is kept between runs like the tests' ones.
const env = { ...process.env, XDG_CACHE_HOME: join(testCacheDir, 'xdg') };

interface Addresses {
  store: string;
  metrics: string;
  database: string;
  vendors: { name: string; url: string }[];
  cdnEdge: string;
  cdnOrigin: string | null;
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runCli(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Resolves with the JSON line `store serve --json` prints once everything listens. */
function readyLine(child: ChildProcess, timeoutMs: number): Promise<Addresses> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`no JSON line within ${timeoutMs} ms`), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout
        .split('\n')
        .slice(0, -1)
        .find((l) => l.startsWith('{'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as Addresses);
    });
    child.once('exit', (code) => fail(`store serve exited with ${code} before it was ready`));
  });
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
  let serve: ChildProcess;
  let addresses: Addresses;

  beforeAll(async () => {
    serve = spawn(
      process.execPath,
      [bin, 'store', 'serve', '--port', '0', '--chaos-port', '0', '--products', '300', '--json'],
      {
        cwd: root,
        env,
      },
    );
    // The first run on a machine builds the embedded database's template.
    addresses = await readyLine(serve, 60_000);
  }, 90_000);

  afterAll(() => {
    if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
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
