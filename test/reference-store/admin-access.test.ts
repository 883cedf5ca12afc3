import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStoreServe } from '../../src/commands/store-serve.js';
import { runStoreVerify } from '../../src/commands/store-verify.js';
import type { CommandContext } from '../../src/commands/context.js';
import { systemClock } from '../../src/core/clock.js';
import { UsageError } from '../../src/core/errors.js';
import { bufferWriter } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import { isLoopbackHost } from '../../src/core/loopback.js';
import { adminTokenFor, adminTokenOption } from '../../reference-store/src/http/admin-access.js';
import { startStore, type RunningStore } from '../../reference-store/src/store.js';
import { verifyThroughStore } from '../../reference-store/src/verify/store-client.js';
import { startTestStore, type TestStore } from './support/test-store.js';

/**
 * A non-loopback bind uses this machine's own address when it has one (nothing beyond the machine
 * can be assumed to reach it in a test), else 0.0.0.0 reached through 127.0.0.1.
 */
function beyondLoopback(): { bind: string; reach: string } {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  return address ? { bind: address, reach: address } : { bind: '0.0.0.0', reach: '127.0.0.1' };
}

describe('the admin policy', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.10.0.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
    ['10.0.0.1', false],
    ['fd00::2', false],
    ['::ffff:10.0.0.1', false],
    ['store.example.com', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('needs no token on loopback, makes one up beyond it, and always requires one given', () => {
    expect(adminTokenFor('127.0.0.1', undefined)).toBeUndefined();
    expect(adminTokenFor('0.0.0.0', undefined, () => 'r4nd0m')).toEqual({
      value: 'sat_r4nd0m',
      generated: true,
    });
    expect(adminTokenFor('0.0.0.0', 'given-token-0123456789')).toEqual({
      value: 'given-token-0123456789',
      generated: false,
    });
    expect(adminTokenFor('127.0.0.1', 'given-token-0123456789')?.generated).toBe(false);
    const made = adminTokenFor('::', undefined);
    expect(made?.value).toMatch(/^sat_[A-Za-z0-9_-]{32}$/);
    expect(adminTokenFor('::', undefined)?.value).not.toBe(made?.value);
  });

  it('takes --admin-token over SHOPSRE_ADMIN_TOKEN, ignores an empty variable, and refuses a weak or unsendable token', () => {
    const env = { SHOPSRE_ADMIN_TOKEN: 'from-the-environment-01' };
    expect(adminTokenOption(undefined, env)).toBe('from-the-environment-01');
    expect(adminTokenOption('from-the-flag-0123456', env)).toBe('from-the-flag-0123456');
    expect(adminTokenOption(undefined, { SHOPSRE_ADMIN_TOKEN: '' })).toBeUndefined();
    expect(() => adminTokenOption('short', {})).toThrow(UsageError);
    expect(() => adminTokenOption(undefined, { SHOPSRE_ADMIN_TOKEN: 'has a space in it, 1234' })).toThrow(
      /SHOPSRE_ADMIN_TOKEN must be/,
    );
  });
});

describe('/admin/* of a store', () => {
  let base: TestStore;
  beforeAll(async () => {
    base = await startTestStore();
  }, 120_000);
  afterAll(async () => {
    await base?.stop();
  });

  /** A second store process on the same database and dependencies, bound as given. */
  const twin = (settings: { host: string; adminToken?: string }, logs = bufferWriter()) =>
    startStore(
      {
        databaseUrl: base.dependencies.databaseUrl,
        vendors: base.dependencies.vendors,
        cdnUrl: base.dependencies.cdnUrl,
      },
      { ...settings, reconcileIntervalMs: 0, drainMs: 0, logSink: logs },
    );

  it('on loopback with no token given answers anyone, as before', async () => {
    expect(base.adminToken).toBeUndefined();
    expect((await base.request('/admin/reconcile', { method: 'POST' })).status).toBe(200);
    expect((await base.request('/admin/verify')).status).toBe(200);
  });

  describe('listening beyond loopback', () => {
    const { bind, reach } = beyondLoopback();
    const logs = bufferWriter();
    let store: RunningStore;
    let url: string;
    let token: string;
    beforeAll(async () => {
      store = await twin({ host: bind }, logs);
      url = `http://${reach}:${new URL(store.url).port}`;
      token = store.adminToken?.value ?? '';
    }, 60_000);
    afterAll(async () => {
      await store?.stop();
    });

    it(`(${bind}, reached at ${reach}) makes up a token, and /admin/* answers 401 without it`, async () => {
      expect(store.adminToken?.generated).toBe(true);
      for (const [method, path] of [
        ['POST', '/admin/reconcile'],
        ['GET', '/admin/verify'],
        ['POST', '/admin/verify'],
      ] as const) {
        const response = await fetch(`${url}${path}`, { method });
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="shopsre-admin"');
        expect(((await response.json()) as { type: string }).type).toBe(
          'https://shopsre.dev/problems/admin-token-required',
        );
      }
    });

    it('answers 401 for a wrong token, a token of another length, and another scheme', async () => {
      for (const authorization of [
        // The last character flipped to one it is not: a fixed 'x' equals the token once in 64 runs.
        `Bearer ${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`,
        `Bearer ${token}x`,
        'Bearer ',
        `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`,
        token,
      ]) {
        const response = await fetch(`${url}/admin/reconcile`, {
          method: 'POST',
          headers: { authorization },
        });
        expect(response.status, authorization).toBe(401);
      }
    });

    it('answers 200 with the token', async () => {
      const headers = { authorization: `Bearer ${token}` };
      expect((await fetch(`${url}/admin/reconcile`, { method: 'POST', headers })).status).toBe(200);
      const verify = await fetch(`${url}/admin/verify`, { headers });
      expect(verify.status).toBe(200);
      expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
      const lowerCase = await fetch(`${url}/admin/verify`, { headers: { authorization: `bearer ${token}` } });
      expect(lowerCase.status).toBe(200);
    });

    it('never lets another spelling of the path past without the token', async () => {
      for (const path of [
        '/admin/verify/',
        '/admin//verify',
        '/ADMIN/verify',
        '/admin/%76erify',
        '/./admin/verify',
        '/admin/verify?x=1',
      ]) {
        const response = await fetch(`${url}${path}`);
        expect([401, 404], path).toContain(response.status);
      }
    });

    it('leaves the shop and the operations endpoints open', async () => {
      expect((await fetch(`${url}/api/products?limit=1`)).status).toBe(200);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
    });

    it('is reached by the /admin/verify client with the token, and refused without it (exit 2, naming the variable)', async () => {
      const report = await verifyThroughStore({ url, reconcile: true, adminToken: token });
      expect(report.violations).toEqual([]);
      const refused = verifyThroughStore({ url, reconcile: true });
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(/SHOPSRE_ADMIN_TOKEN/);
      await expect(verifyThroughStore({ url, reconcile: false, adminToken: `${token}x` })).rejects.toThrow(
        /refused the admin token/,
      );
    });

    it('never logs the token', () => {
      expect(logs.text()).not.toContain(token);
    });
  });

  it('on loopback with a token given requires it too', async () => {
    const given = 'loopback-token-0123456789';
    const store = await twin({ host: '127.0.0.1', adminToken: given });
    try {
      expect(store.adminToken).toEqual({ value: given, generated: false });
      expect((await fetch(`${store.url}/admin/reconcile`, { method: 'POST' })).status).toBe(401);
      const allowed = await fetch(`${store.url}/admin/reconcile`, {
        method: 'POST',
        headers: { authorization: `Bearer ${given}` },
      });
      expect(allowed.status).toBe(200);
    } finally {
      await store.stop();
    }
  });

  it('store serve beyond loopback prints the token it made up once, on stdout only, and store verify sends it from SHOPSRE_ADMIN_TOKEN or --admin-token', async () => {
    const { bind, reach } = beyondLoopback();
    const stdout = bufferWriter();
    const stderr = bufferWriter();
    const context = (env: Record<string, string>, out = bufferWriter()): CommandContext => ({
      io: { stdout: out, stderr, env, cwd: process.cwd(), isTTY: false },
      clock: systemClock,
      logger: createLogger({ sink: stderr, clock: systemClock, level: 'info', json: false }),
    });
    const signals = new EventEmitter();
    let ready: (url: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => (ready = resolve));
    const serving = runStoreServe(
      {
        port: '0',
        host: bind,
        databaseUrl: base.dependencies.databaseUrl,
        products: '300',
        faultProxies: false,
        json: false,
      },
      context({}, stdout),
      {
        signals: {
          on: (name, listener) => signals.on(name, listener),
          off: (name, listener) => signals.off(name, listener),
        },
        onReady: ready,
      },
    );
    try {
      const storeUrl = (await listening).replace(bind, reach);
      const printed = [...stdout.text().matchAll(/^admin +token (\S+) /gm)].map((m) => m[1]);
      expect(printed).toHaveLength(1);
      const token = printed[0] ?? '';
      expect(token).toMatch(/^sat_/);
      expect(stdout.text().split(token)).toHaveLength(2);

      expect(
        await runStoreVerify(
          { url: storeUrl, reconcile: true, json: true },
          context({ SHOPSRE_ADMIN_TOKEN: token }),
        ),
      ).toBe(0);
      expect(
        await runStoreVerify({ url: storeUrl, reconcile: false, json: true, adminToken: token }, context({})),
      ).toBe(0);
      await expect(
        runStoreVerify({ url: storeUrl, reconcile: true, json: true }, context({})),
      ).rejects.toThrow(UsageError);
      await expect(
        runStoreVerify(
          { databaseUrl: base.dependencies.databaseUrl, reconcile: false, json: true, adminToken: token },
          context({}),
        ),
      ).rejects.toThrow(/--admin-token goes with --url/);
    } finally {
      signals.emit('SIGTERM');
      expect(await serving).toBe(0);
    }
    const token = /^admin +token (\S+) /m.exec(stdout.text())?.[1] ?? 'missing';
    expect(stderr.text()).not.toContain(token);
  }, 60_000);
});
