// Benchmarks that print ratios against a peer measured in the same run (these machines are shared and
// noisy, so absolute numbers mean little). Run with `npm run bench` (builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../dist/shopsre.js', import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;
const runs = Number(process.env.BENCH_RUNS ?? 21);

/**
 * Median wall time of each command, measured round-robin (peer, then each subject, then again) so a
 * burst of load from a neighbour on this shared machine hits them all alike.
 */
function timeCommands(commands, count = runs) {
  const samples = commands.map(() => []);
  for (let i = 0; i < count + 2; i++) {
    commands.forEach(({ args, expectStatus = 0 }, c) => {
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.status !== expectStatus) {
        throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
      }
      if (i >= 2) samples[c].push(elapsed); // the first runs warm the page cache
    });
  }
  return samples.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]);
}

function report(name, ms, peerMs, goal) {
  const ratio = ms / peerMs;
  const verdict =
    goal === undefined ? '' : ratio <= goal ? `  (goal ≤ ${goal}×: met)` : `  (goal ≤ ${goal}×: MISSED)`;
  console.log(
    `${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms   ${ratio.toFixed(2)}× node -e 0${verdict}`,
  );
}

const tmp = mkdtempSync(join(tmpdir(), 'shopsre-bench-'));
try {
  const [node, versionMs, checkMs] = timeCommands([
    { args: ['-e', '0'] },
    { args: [bin, '--version'] },
    { args: [bin, 'slo', 'check', 'examples/checkout.slo.yaml', '--results', 'examples/load-results.json'] },
  ]);
  console.log(`${'node -e 0 (peer)'.padEnd(44)} ${node.toFixed(1).padStart(8)} ms`);
  report('shopsre --version', versionMs, node, 1.3);
  report('shopsre slo check --results (small file)', checkMs, node, 2);

  // 200 SLOs × 3 segments: the size of a large shop's catalogue of journeys.
  const template = readFileSync(join(root, 'examples/checkout.slo.yaml'), 'utf8');
  const entry = template.slice(
    template.indexOf('  - name: checkout-availability'),
    template.indexOf('  - name: checkout-latency'),
  );
  // Each SLO watches its own route, as a real catalogue of journeys would.
  const slos = Array.from({ length: 200 }, (_, i) =>
    entry
      .replaceAll('/api/checkout', `/api/journey-${i}`)
      .replace('name: checkout-availability', `name: journey-${i}-availability`)
      .replace('CheckoutAvailabilityBudgetBurn', `Journey${i}BudgetBurn`),
  );
  const big = join(tmp, 'big.slo.yaml');
  writeFileSync(big, `apiVersion: shopsre/v1\nkind: SLOList\nservice: store\nslos:\n${slos.join('')}`);
  const out = join(tmp, 'rules.yaml');
  const tests = join(tmp, 'rules.test.yaml');
  const [generateRules, generateAll] = timeCommands(
    [
      { args: [bin, 'slo', 'generate', big, '--out', out] },
      { args: [bin, 'slo', 'generate', big, '--out', out, '--tests', tests] },
    ],
    5,
  );
  report('slo generate 200 SLOs × 3 segments', generateRules, node);
  report('  the same with --tests (promtool unit tests)', generateAll, node);
  console.log(
    `${''.padEnd(44)} rules ${(statSync(out).size / 1e6).toFixed(2)} MB, promtool tests ${(statSync(tests).size / 1e6).toFixed(2)} MB`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// The load generator against wrk and autocannon (bench/load.mjs; about a minute).
await import('./load.mjs');

// Checkout on PGlite and PostgreSQL, and the store against pgbench (bench/store-checkout.ts; about 2 minutes).
const checkout = spawnSync(process.execPath, ['--import', 'tsx', 'bench/store-checkout.ts'], {
  cwd: root,
  stdio: 'inherit',
});
if (checkout.status !== 0) process.exitCode = checkout.status ?? 1;

// The fault proxies with no toxic against direct connections (bench/fault-proxy.mjs; about a minute).
const faultProxy = spawnSync(process.execPath, ['--import', 'tsx', 'bench/fault-proxy.mjs'], {
  cwd: root,
  stdio: 'inherit',
});
if (faultProxy.status !== 0) process.exitCode = faultProxy.status ?? 1;

// The store's HTTP library (hono) against bare node:http (bench/server-library.mjs; about a minute).
const serverLibrary = spawnSync(process.execPath, ['bench/server-library.mjs'], {
  cwd: root,
  stdio: 'inherit',
});
if (serverLibrary.status !== 0) process.exitCode = serverLibrary.status ?? 1;

// Game days: the runner's own CPU as a share of a whole game day, and the README's first command on
// clean caches against npm ci alone (bench/gameday.ts; about 4 minutes).
const gameday = spawnSync(process.execPath, ['--import', 'tsx', 'bench/gameday.ts'], {
  cwd: root,
  stdio: 'inherit',
});
if (gameday.status !== 0) process.exitCode = gameday.status ?? 1;
