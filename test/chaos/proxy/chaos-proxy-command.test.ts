import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Toxiproxy } from 'toxiproxy-node-client';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { runChaosProxy, type ChaosProxyOptions } from '../../../src/commands/chaos-proxy.js';
import type { SignalSource } from '../../../src/commands/signals.js';
import { fixedClock } from '../../../src/core/clock.js';
import { InputError, UsageError } from '../../../src/core/errors.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import { attempt, closeAfter, proxyPort, startEchoServer, startHttpUpstream, tcpClient } from './support.js';
import { builtBinary as bin } from '../../helpers/built-binary.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-chaos-proxy-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

interface Ready {
  control: string;
  maxToxicTtlMs: number;
  links: { name: string; kind: string; listen: string; upstream: string; enabled: boolean }[];
}

/** A signal source whose SIGINT and SIGTERM the test sends. */
function fakeSignals(): SignalSource & { send(name: 'SIGINT' | 'SIGTERM'): void } {
  const listeners = new Map<string, Set<() => void>>();
  return {
    on(name, listener) {
      (listeners.get(name) ?? listeners.set(name, new Set()).get(name))?.add(listener);
    },
    off(name, listener) {
      listeners.get(name)?.delete(listener);
    },
    send(name) {
      for (const listener of [...(listeners.get(name) ?? [])]) listener();
    },
  };
}

/** `chaos proxy` in-process, stopped after the test if it still runs. */
async function chaosProxy(options: Partial<ChaosProxyOptions>) {
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  const clock = fixedClock(Date.parse('2025-06-01T10:00:00Z'));
  const ctx = {
    io: { stdout, stderr, env: {}, cwd: workdir, isTTY: false },
    clock,
    logger: createLogger({ sink: stderr, clock }),
  };
  const signals = fakeSignals();
  let ready!: (url: string) => void;
  const started = new Promise<string>((resolve) => (ready = resolve));
  const exited = runChaosProxy({ link: [], port: '0', json: false, ...options }, ctx, {
    signals,
    onReady: ready,
  });
  closeAfter(async () => {
    signals.send('SIGTERM');
    await exited.catch(() => undefined);
  });
  const url = await Promise.race([
    started,
    exited.then((code) => Promise.reject(new Error(`exited ${code}`))),
  ]);
  return { url, signals, exited, stdout, stderr };
}

/** What `chaos proxy` prints for an error it refuses to start with (every one exits 2). */
async function failure(options: Partial<ChaosProxyOptions>): Promise<string[]> {
  const sink = bufferWriter();
  const ctx = {
    io: { stdout: sink, stderr: sink, env: {}, cwd: workdir, isTTY: false },
    clock: fixedClock(0),
    logger: createLogger({ sink, clock: fixedClock(0) }),
  };
  const error = await runChaosProxy({ link: [], port: '0', json: false, ...options }, ctx).then(
    (code) => new Error(`started, then exited ${code}`),
    (caught: unknown) => caught,
  );
  if (!(error instanceof InputError || error instanceof UsageError)) throw error;
  expect(error.exitCode).toBe(2);
  return error.lines();
}

async function status(url: string): Promise<number> {
  const response = await request(url);
  await response.body.dump();
  return response.statusCode;
}

describe('shopsre chaos proxy', () => {
  it('serves --link proxies and Toxiproxy’s API until SIGTERM, which removes every toxic and closes every listener', async () => {
    const echo = await startEchoServer();
    const upstream = await startHttpUpstream();
    const { url, signals, exited, stdout } = await chaosProxy({
      link: [`database=127.0.0.1:0=127.0.0.1:${echo.port}`, `vendor=127.0.0.1:0=${upstream.url}`],
      maxToxicTtl: '2m',
      json: true,
    });
    const printed = JSON.parse(stdout.text()) as Ready;
    expect(printed).toMatchObject({
      control: url,
      maxToxicTtlMs: 120_000,
      links: [
        { name: 'database', kind: 'tcp', upstream: `127.0.0.1:${echo.port}`, enabled: true },
        { name: 'vendor', kind: 'http', upstream: upstream.url, enabled: true },
      ],
    });
    const [database, vendor] = printed.links;
    const databasePort = proxyPort(database?.listen ?? '');

    const toxiproxy = new Toxiproxy(url);
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['database', 'vendor']);
    const proxy = await toxiproxy.get('database');
    await proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    const client = await tcpClient(databasePort);
    const start = performance.now();
    client.send('ping');
    expect(await client.read(4)).toBe('ping');
    expect(performance.now() - start).toBeGreaterThanOrEqual(95);
    const held = await fetch(`${url}/proxies/database/toxics/slow`);
    expect(await held.json()).toMatchObject({ ttlMs: 120_000 });
    expect(await status(`http://${vendor?.listen ?? ''}/`)).toBe(200);

    signals.send('SIGTERM');
    expect(await exited).toBe(0);
    expect(await client.ending(5_000)).toBe('close');
    expect(await attempt(databasePort)).toBe('refused');
    expect(await attempt(proxyPort(vendor?.listen ?? ''))).toBe('refused');
    expect(await attempt(proxyPort(url))).toBe('refused');
  });

  it("reads links from a FaultProxyLinks file and from Toxiproxy's -config JSON, printing a line per link", async () => {
    const echo = await startEchoServer();
    const upstream = await startHttpUpstream();
    const yamlFile = join(workdir, 'links.yaml');
    writeFileSync(
      yamlFile,
      [
        'apiVersion: shopsre/v1',
        'kind: FaultProxyLinks',
        'links:',
        `  - { name: database, listen: "127.0.0.1:0", upstream: "127.0.0.1:${echo.port}" }`,
        `  - { name: cdn-origin, kind: http, upstream: "${upstream.url}", enabled: false }`,
      ].join('\n'),
    );
    const fromYaml = await chaosProxy({ config: yamlFile });
    const lines = fromYaml.stdout.text().trim().split('\n');
    expect(lines[0]).toBe(`control   ${fromYaml.url}   (Toxiproxy's API; toxics live at most 10m)`);
    expect(lines[1]).toMatch(
      new RegExp(`^link      database    tcp   127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${echo.port}$`),
    );
    expect(lines[2]).toMatch(
      /^link {6}cdn-origin {2}http {2}127\.0\.0\.1:\d+ -> http:\/\/127\.0\.0\.1:\d+ {3}\(disabled\)$/,
    );
    expect(lines[3]).toBe('ready with 2 links; Ctrl-C to stop');

    const jsonFile = join(workdir, 'toxiproxy.json');
    writeFileSync(
      jsonFile,
      JSON.stringify([
        { name: 'redis', listen: 'localhost:0', upstream: `127.0.0.1:${echo.port}`, enabled: true },
      ]),
    );
    const fromJson = await chaosProxy({ config: jsonFile, json: true });
    const [redis] = (JSON.parse(fromJson.stdout.text()) as Ready).links;
    const client = await tcpClient(proxyPort(redis?.listen ?? ''));
    client.send('ping');
    expect(await client.read(4)).toBe('ping');
  });

  it('names every bad entry of a links file by file:line:col, shape first then addresses, and bad flags', async () => {
    const shape = join(workdir, 'shape.yaml');
    writeFileSync(
      shape,
      [
        'apiVersion: shopsre/v1',
        'kind: FaultProxyLinks',
        'links:',
        '  - name: database',
        '    upstream: 127.0.0.1:5432',
        '  - name: cdn',
        '    upstrem: 127.0.0.1:1',
      ].join('\n'),
    );
    expect(await failure({ config: shape })).toEqual([
      `${shape}:6:5: missing required key "upstream" (at links[1])`,
      `${shape}:7:5: unknown key "upstrem" (did you mean "upstream"?) (at links[1])`,
    ]);
    const addresses = join(workdir, 'addresses.yaml');
    writeFileSync(
      addresses,
      [
        'apiVersion: shopsre/v1',
        'kind: FaultProxyLinks',
        'links:',
        '  - name: database',
        '    upstream: nowhere',
        '  - name: vendor',
        '    kind: http',
        '    listen: 0.0.0.0:18080',
        '    upstream: http://127.0.0.1:8080',
      ].join('\n'),
    );
    expect(await failure({ config: addresses })).toEqual([
      `${addresses}:5:15: upstream: 'nowhere' is not host:port`,
      `${addresses}:8:13: listen: '0.0.0.0:18080' is not loopback; faults stay on this machine unless the server is started with a non-loopback --host`,
    ]);
    expect(await failure({ link: ['database=127.0.0.1:0'] })).toEqual([
      '--link "database=127.0.0.1:0": expected [http:]NAME=LISTEN=UPSTREAM, e.g. database=127.0.0.1:15432=127.0.0.1:5432',
    ]);
    expect(await failure({ link: ['http:vendor=127.0.0.1:0=127.0.0.1:1'] })).toEqual([
      `--link "http:vendor=127.0.0.1:0=127.0.0.1:1": upstream: '127.0.0.1:1' is not http://host:port`,
    ]);
    expect(await failure({ maxToxicTtl: '2d' })).toEqual(['--max-toxic-ttl "2d": expected 1s to 24h']);
  });

  it('runs as the built binary: ready line, driven by the client, stopped by SIGTERM with exit 0', async () => {
    const echo = await startEchoServer();
    const child = spawn(process.execPath, [
      bin,
      'chaos',
      'proxy',
      '--port',
      '0',
      '--json',
      '--link',
      `database=127.0.0.1:0=127.0.0.1:${echo.port}`,
    ]);
    closeAfter(() => void child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(JSON.parse(stdout.slice(0, stdout.indexOf('\n'))) as Ready);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const toxiproxy = new Toxiproxy(ready.control);
    const proxy = await toxiproxy.get('database');
    await proxy.addToxic({
      name: 'cut',
      type: 'limit_data',
      stream: 'downstream',
      toxicity: 1,
      attributes: { bytes: 2 },
    });
    const client = await tcpClient(proxyPort(proxy.listen));
    client.send('ping');
    expect(await client.read(2)).toBe('pi');
    expect(await client.ending(5_000)).toBe('close');

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(stderr).toMatch(/stopped/);
    expect(await attempt(proxyPort(proxy.listen))).toBe('refused');
    expect(await attempt(proxyPort(ready.control))).toBe('refused');
  });
});
