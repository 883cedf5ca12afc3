// Which HTTP server library the reference store should use: plain node:http and hono on
// @hono/node-server, each answering the store's product lookup (`GET /api/products/:id`, JSON,
// about 600 bytes, serialized per request the way each library does it) and 404 otherwise. Run with
// `node bench/server-library.mjs`. fastify was measured too when the library was chosen (README); it is
// no longer a dependency, because its current releases pull in packages that need Node 22.
//
// Each server runs alone in its own child process on CPU 0 and autocannon runs here on CPU 1
// (taskset, when present), in interleaved rounds with a fresh server each time; the best round of
// each library counts, as in bench/load.mjs, so a burst from a neighbour on this shared machine
// costs no library its result. Server CPU per request is printed too: it still compares the
// libraries if autocannon, not the server, turns out to be the ceiling.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';

const self = new URL(import.meta.url).pathname;
const seconds = Number(process.env.BENCH_SERVER_SECONDS ?? 5);
const warmUpSeconds = 1;
const rounds = Math.max(2, Number(process.env.BENCH_SERVER_ROUNDS ?? 2));
const connections = 20;
const path = '/api/products/42';

const product = {
  id: 42,
  sku: 'SKU-000042',
  slug: 'merino-wool-crew-sweater',
  name: 'Merino Wool Crew Sweater',
  description: 'A midweight crew-neck sweater knitted from extra-fine merino wool, warm without bulk.',
  price: { amount: 8900, currency: 'EUR' },
  stock: { available: 37, warehouse: 'fra-1' },
  categories: ['apparel', 'knitwear', 'men'],
  images: ['/assets/img/product-42.svg'],
  variants: [
    { sku: 'SKU-000042-S', size: 'S', available: true },
    { sku: 'SKU-000042-M', size: 'M', available: true },
    { sku: 'SKU-000042-L', size: 'L', available: false },
  ],
  rating: { average: 4.6, count: 128 },
  updatedAt: '2025-01-15T10:00:00.000Z',
};

/** Each starts a server on 127.0.0.1 and resolves to its port. */
const servers = {
  'node:http': async () => {
    const route = /^\/api\/products\/([^/?]+)$/;
    const server = createServer((request, response) => {
      request.resume();
      const id = request.method === 'GET' ? route.exec(request.url ?? '')?.[1] : undefined;
      if (id === String(product.id)) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(product));
      } else {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server.address().port;
  },
  'hono (@hono/node-server)': async () => {
    const { Hono } = await import('hono');
    const { serve } = await import('@hono/node-server');
    const app = new Hono();
    app.get('/api/products/:id', (c) =>
      c.req.param('id') === String(product.id) ? c.json(product) : c.json({ error: 'not_found' }, 404),
    );
    return new Promise((resolve) => {
      serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    });
  },
};

if (process.argv[2] === 'server') {
  const port = await servers[process.argv[3]]();
  // The parent asks for this process's CPU time around the measured run.
  process.on('message', () => process.send(process.cpuUsage()));
  console.log(port);
} else {
  await main();
}

async function main() {
  const { default: autocannon } = await import('autocannon');
  const pinned = hasTaskset();
  // autocannon, its GC and libuv threads (-a) stay off the server's core.
  if (pinned) spawnSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });

  const byLibrary = Object.fromEntries(Object.keys(servers).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(servers)) {
      const { url, serverCpuSeconds, stop } = await startServer(name, pinned);
      try {
        await checkAnswers(name, url);
        await autocannon({ url: url + path, connections, duration: warmUpSeconds });
        // autocannon's own percentiles are whole milliseconds, and loopback answers take a fraction
        // of one, so the latencies come from its per-response event instead.
        const latenciesMs = [];
        const cpuBefore = await serverCpuSeconds();
        const run = autocannon({ url: url + path, connections, duration: seconds });
        run.on('response', (_client, _status, _bytes, ms) => latenciesMs.push(ms));
        const result = await run;
        const cpuSeconds = (await serverCpuSeconds()) - cpuBefore;
        if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
          throw new Error(
            `${name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
          );
        }
        byLibrary[name].push({
          rps: result.requests.total / result.duration,
          serverCpuUsPerRequest: (cpuSeconds * 1e6) / result.requests.total,
          serverCpuShare: cpuSeconds / result.duration,
          p50: percentile(latenciesMs, 0.5),
          p99: percentile(latenciesMs, 0.99),
        });
      } finally {
        await stop();
      }
    }
  }

  const bytes = Buffer.byteLength(JSON.stringify(product));
  console.log(
    `\nserver library: GET ${path} (${bytes}-byte JSON), ${connections} connections, ${seconds} s after ` +
      `${warmUpSeconds} s warm-up, best of ${rounds} interleaved rounds, ` +
      `${pinned ? 'server on CPU 0, autocannon on CPU 1' : 'no taskset: server and client unpinned'}`,
  );
  const best = (name) => byLibrary[name].reduce((a, b) => (b.rps > a.rps ? b : a));
  const peer = best('node:http');
  const widths = [28, 8, 7, 7, 13, 11, 12];
  const row = (cells) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])));
  const header = ['library', 'req/s', 'p50 ms', 'p99 ms', 'vs node:http', 'server CPU', 'CPU µs/req'];
  console.log([...row(header), '  req/s per round'].join(' '));
  for (const name of Object.keys(servers)) {
    const result = best(name);
    const cells = [
      name,
      String(Math.round(result.rps)),
      result.p50.toFixed(2),
      result.p99.toFixed(2),
      `${(result.rps / peer.rps).toFixed(3)}×`,
      `${(result.serverCpuShare * 100).toFixed(0)} %`,
      result.serverCpuUsPerRequest.toFixed(1),
    ];
    const perRound = byLibrary[name].map((round) => Math.round(round.rps)).join(', ');
    console.log([...row(cells), `  ${perRound}`].join(' '));
  }
  const starved = Object.keys(servers).filter((name) => best(name).serverCpuShare < 0.9);
  if (starved.length > 0) {
    console.log(
      `warning: ${starved.join(', ')} ran below 90 % of a core in the best round, so something else ` +
        'was the limit (a busy neighbour, or the client): trust CPU µs/req over req/s, or run again',
    );
  }
}

/** This script in `server` role, on CPU 0 when pinned; resolves once it prints its port. */
async function startServer(name, pinned) {
  const args = [self, 'server', name];
  const stdio = ['ignore', 'pipe', 'inherit', 'ipc'];
  const child = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio })
    : spawn(process.execPath, args, { stdio });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve(String(chunk).trim()));
    child.once('exit', (code) => reject(new Error(`${name} server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    serverCpuSeconds: async () => {
      const reply = once(child, 'message');
      child.send('cpu');
      const [{ user, system }] = await reply;
      return (user + system) / 1e6;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}

/** The same answer from every library, so the table compares like with like. */
async function checkAnswers(name, url) {
  const found = await globalThis.fetch(url + path);
  const body = await found.json();
  if (found.status !== 200 || !found.headers.get('content-type')?.startsWith('application/json')) {
    throw new Error(`${name}: GET ${path} answered ${found.status} ${found.headers.get('content-type')}`);
  }
  if (JSON.stringify(body) !== JSON.stringify(product)) throw new Error(`${name}: GET ${path} body differs`);
  for (const other of ['/api/products/43', '/api/products', '/']) {
    const missing = await globalThis.fetch(url + other);
    await missing.arrayBuffer();
    if (missing.status !== 404) throw new Error(`${name}: GET ${other} answered ${missing.status}, not 404`);
  }
}

function percentile(values, quantile) {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))];
}

function hasTaskset() {
  return spawnSync('sh', ['-c', 'command -v taskset'], { encoding: 'utf8' }).status === 0;
}
