// Fault proxies with no toxic against direct connections, in the same run, interleaved (`node --import
// tsx bench/fault-proxy.mjs`; it runs the TypeScript sources, as nothing of src/chaos is bundled):
// - HTTP: autocannon (20 connections, 5 s rounds) against a one-core loopback node:http server,
//   direct and through the HTTP proxy: throughput ratio; then one keep-alive connection doing
//   sequential requests: added p50.
// - TCP: one connection doing request/response round trips of 64 bytes through the TCP proxy and
//   direct (added p50), and a bulk download of 256 MB (throughput ratio).
// A third subject, the bare forwarder (node:net pipe; node:http into an undici dispatch, no toxics,
// no header filtering), runs in the proxy's process: the cost of one more hop as such on this
// machine, so the table shows what the fault proxy adds over it.
//
// Processes: the upstream servers get CPU 0 (taskset, when present), as in bench/load.mjs; the proxy
// and every client share CPU 1, so on this 2-core machine the proxy competes with autocannon for its
// core while the direct run gives autocannon that core alone.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { performance } from 'node:perf_hooks';

const self = new URL(import.meta.url).pathname;
const seconds = Number(process.env.BENCH_PROXY_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_PROXY_ROUNDS ?? 2);
const connections = 20;
const bulkBytes = 256 * 1024 * 1024;

const role = process.argv[2];
if (role === 'upstreams') await upstreams();
else if (role === 'proxy') await proxy(process.argv[3], process.argv[4]);
else if (role === 'autocannon') await autocannonClient(process.argv[3], Number(process.argv[4]));
else await main();

/** The one-core node:http server, a TCP echo server and a bulk source, printing their ports. */
async function upstreams() {
  const http = createServer((request, response) => {
    request.resume();
    response.end('ok');
  });
  const echo = createTcpServer({ noDelay: true }, (socket) => socket.pipe(socket));
  const block = Buffer.alloc(64 * 1024, 'x');
  const bulk = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    let sent = 0;
    const send = () => {
      while (sent < bulkBytes) {
        sent += block.length;
        if (!socket.write(block)) return void socket.once('drain', send);
      }
      socket.end();
    };
    send();
  });
  const ports = await Promise.all([http, echo, bulk].map((server) => listen(server)));
  console.log(JSON.stringify({ http: ports[0], echo: ports[1], bulk: ports[2] }));
}

/** The fault proxy server with one proxy per upstream and no toxic, and the bare forwarders; prints their ports. */
async function proxy(upstreamsJson) {
  const { startFaultProxyServer } = await import('../src/chaos/local/proxy/index.ts');
  const ports = JSON.parse(upstreamsJson);
  const server = await startFaultProxyServer();
  const add = (name, kind, upstream) => server.addProxy({ name, kind, listen: '127.0.0.1:0', upstream });
  const portOf = (snapshot) => Number(snapshot.listen.split(':').pop());
  const http = await add('http', 'http', `http://127.0.0.1:${ports.http}`);
  const echo = await add('echo', 'tcp', `127.0.0.1:${ports.echo}`);
  const bulk = await add('bulk', 'tcp', `127.0.0.1:${ports.bulk}`);
  const proxied = { http: portOf(http), echo: portOf(echo), bulk: portOf(bulk) };
  const bare = {
    http: await listen(await bareHttpForwarder(ports.http)),
    echo: await listen(bareTcpForwarder(ports.echo)),
    bulk: await listen(bareTcpForwarder(ports.bulk)),
  };
  console.log(JSON.stringify({ proxied, bare }));
}

function bareTcpForwarder(port) {
  return createTcpServer({ noDelay: true }, (client) => {
    const upstream = connect({ port, host: '127.0.0.1', noDelay: true });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
}

async function bareHttpForwarder(port) {
  const { Pool } = await import('undici');
  const pool = new Pool(`http://127.0.0.1:${port}`, { pipelining: 1 });
  return createServer((request, response) => {
    pool.dispatch(
      { path: request.url, method: request.method, headers: null, body: null },
      {
        onRequestStart: () => undefined, // undici takes a handler without it for the deprecated API
        onResponseStart: (_controller, status, headers) => void response.writeHead(status, headers),
        onResponseData: (_controller, chunk) => void response.write(chunk),
        onResponseEnd: () => void response.end(),
        onResponseError: () => void response.destroy(),
      },
    );
  });
}

async function autocannonClient(url, duration) {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url, connections, duration });
  console.log(JSON.stringify({ rps: result.requests.total / result.duration, errors: result.errors }));
}

async function main() {
  const { alignTable } = await import('../src/core/text-table.ts');
  // This process runs the latency and bulk clients: CPU 1 too, every thread of it.
  if (hasTaskset()) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const direct = await child(0, [self, 'upstreams']);
  const forwarders = await child(1, ['--import', 'tsx', self, 'proxy', JSON.stringify(direct.ports)]);
  const subjects = { direct: direct.ports, bare: forwarders.ports.bare, proxy: forwarders.ports.proxied };
  try {
    const rows = [];
    const url = (name) => `http://127.0.0.1:${subjects[name].http}/`;
    // A first, unmeasured second on each warms the JIT (and tsx's transpiled proxy) and opens connections.
    for (const name of Object.keys(subjects)) runAutocannon(url(name), 1);
    const rps = { direct: 0, bare: 0, proxy: 0 };
    for (let round = 0; round < rounds; round++) {
      for (const name of Object.keys(subjects)) {
        const result = runAutocannon(url(name));
        if (result.errors > 0) throw new Error(`autocannon saw ${result.errors} errors (${name})`);
        rps[name] = Math.max(rps[name], result.rps);
      }
    }
    rows.push(ratioRow(`HTTP throughput, ${connections} connections`, rps, 'req/s', 0.9));

    const http = await interleaved((name) => httpRoundTrips(subjects[name].http));
    rows.push(latencyRow('HTTP sequential request, p50', http));
    const tcp = await interleaved((name) => tcpRoundTrips(subjects[name].echo));
    rows.push(latencyRow('TCP 64-byte round trip, p50', tcp));

    const bulk = { direct: 0, bare: 0, proxy: 0 };
    for (let round = 0; round < 3; round++) {
      for (const name of Object.keys(subjects)) {
        bulk[name] = Math.max(bulk[name], await download(subjects[name].bulk));
      }
    }
    rows.push(ratioRow('TCP bulk download, 256 MB', bulk, 'MB/s'));

    console.log(
      `\nfault proxies, no toxic, against direct connections (best of ${rounds} × ${seconds} s autocannon rounds)`,
    );
    const titles = [
      'measure',
      'direct',
      'bare forwarder',
      'fault proxy',
      'proxy vs direct',
      'goal',
      'proxy vs bare',
    ];
    const aligns = ['left', 'right', 'right', 'right', 'right', 'left', 'right'];
    for (const line of alignTable(titles, aligns, rows)) console.log(line);
  } finally {
    forwarders.process.kill();
    direct.process.kill();
  }
}

function verdict(met) {
  return met ? 'met' : 'MISSED';
}

function ratioRow(name, { direct, bare, proxy }, unit, goal) {
  const ratio = proxy / direct;
  return [
    name,
    `${Math.round(direct)} ${unit}`,
    `${Math.round(bare)} ${unit}`,
    `${Math.round(proxy)} ${unit}`,
    `${ratio.toFixed(2)}×`,
    goal === undefined ? '' : `≥ ${goal}×: ${verdict(ratio >= goal)}`,
    `${(proxy / bare).toFixed(2)}×`,
  ];
}

/** p50s in ms; added latency against direct (the goal, under 0.2 ms) and against the bare forwarder. */
function latencyRow(name, { direct, bare, proxy }) {
  const µs = (ms) => `${Math.round(ms * 1000)} µs`;
  const added = proxy - direct;
  return [
    name,
    µs(direct),
    µs(bare),
    µs(proxy),
    `+${µs(added)}`,
    `< 200 µs: ${verdict(added < 0.2)}`,
    `${proxy >= bare ? '+' : '-'}${µs(Math.abs(proxy - bare))}`,
  ];
}

/** p50 of each subject, over blocks taken in turn so that a noisy second hits them all alike. */
async function interleaved(block, blocks = 10) {
  const names = ['direct', 'bare', 'proxy'];
  const samples = { direct: [], bare: [], proxy: [] };
  for (const name of names) await block(name); // warm-up
  for (let i = 0; i < blocks; i++) {
    for (const name of names) samples[name].push(...(await block(name)));
  }
  const p50 = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return { direct: p50(samples.direct), bare: p50(samples.bare), proxy: p50(samples.proxy) };
}

async function httpRoundTrips(port, count = 300) {
  const { Client } = await import('undici');
  const client = new Client(`http://127.0.0.1:${port}`);
  const took = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      const { body } = await client.request({ path: '/', method: 'GET' });
      await body.text();
      took.push(performance.now() - start);
    }
  } finally {
    await client.close();
  }
  return took.slice(10);
}

async function tcpRoundTrips(port, count = 1000) {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const message = Buffer.alloc(64, 'q');
  const took = [];
  let received = 0;
  let done;
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (received >= message.length) {
      received -= message.length;
      done();
    }
  });
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await new Promise((resolve) => {
      done = resolve;
      socket.write(message);
    });
    took.push(performance.now() - start);
  }
  socket.destroy();
  return took.slice(10);
}

/** MB/s of one bulk download. */
async function download(port) {
  const start = performance.now();
  const bytes = await new Promise((resolve, reject) => {
    let count = 0;
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('data', (chunk) => (count += chunk.length));
    socket.on('end', () => resolve(count));
    socket.on('error', reject);
  });
  if (bytes !== bulkBytes) throw new Error(`bulk download got ${bytes} of ${bulkBytes} bytes`);
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}

function runAutocannon(url, duration = seconds) {
  const [command, args] = pinned(1, process.execPath, [self, 'autocannon', url, String(duration)]);
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`autocannon exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Starts `node args` on `cpu` and reads the JSON line of ports it prints. */
async function child(cpu, args) {
  const [command, commandArgs] = pinned(cpu, process.execPath, args);
  const started = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise((resolve, reject) => {
    started.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk))));
    started.once('exit', (code) => reject(new Error(`${args.at(-2)} exited (${code})`)));
  });
  return { process: started, ports };
}

function pinned(cpu, command, args) {
  return hasTaskset() ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

function hasTaskset() {
  return spawnSync('sh', ['-c', 'command -v taskset']).status === 0;
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}
