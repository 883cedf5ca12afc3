// Benchmarks that print ratios against a peer measured in the same run (these machines are shared and
// noisy, so absolute numbers mean little). Run with `npm run bench` (builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../dist/shopsre.js', import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;
const runs = Number(process.env.BENCH_RUNS ?? 21);

function timeCommand(args, options = {}) {
  const samples = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', ...options });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== (options.expectStatus ?? 0)) {
      throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    if (i >= 2) samples.push(elapsed); // the first runs warm the page cache
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
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
  const node = timeCommand(['-e', '0']);
  console.log(`${'node -e 0 (peer)'.padEnd(44)} ${node.toFixed(1).padStart(8)} ms`);
  report('shopsre --version', timeCommand([bin, '--version']), node, 1.3);
  report(
    'shopsre slo check --results (small file)',
    timeCommand(
      [bin, 'slo', 'check', 'examples/checkout.slo.yaml', '--results', 'examples/load-results.json'],
      {
        expectStatus: 0,
      },
    ),
    node,
    2,
  );

  // 200 SLOs × 3 segments: the size of a large shop's catalogue of journeys.
  const template = readFileSync(join(root, 'examples/checkout.slo.yaml'), 'utf8');
  const entry = template.slice(
    template.indexOf('  - name: checkout-availability'),
    template.indexOf('  - name: checkout-latency'),
  );
  const slos = Array.from({ length: 200 }, (_, i) =>
    entry
      .replace('name: checkout-availability', `name: journey-${i}-availability`)
      .replace('CheckoutAvailabilityBudgetBurn', `Journey${i}BudgetBurn`),
  );
  const big = join(tmp, 'big.slo.yaml');
  writeFileSync(big, `apiVersion: shopsre/v1\nkind: SLOList\nservice: store\nslos:\n${slos.join('')}`);
  const out = join(tmp, 'rules.yaml');
  const tests = join(tmp, 'rules.test.yaml');
  const generate = timeCommand([bin, 'slo', 'generate', big, '--out', out, '--tests', tests]);
  report('slo generate 200 SLOs × 3 segments', generate, node);
  console.log(
    `${''.padEnd(44)} rules ${(statSync(out).size / 1e6).toFixed(2)} MB, promtool tests ${(statSync(tests).size / 1e6).toFixed(2)} MB`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
