// Game day benchmarks (`npm run bench` runs this; alone: `npx tsx bench/gameday.ts`).
//
// 1. The README's first command, end to end, on clean caches: a clone of HEAD in a fresh folder, an
//    empty npm cache and an empty HOME (so the embedded database's template is built too), timed
//    against its own first part, `npm ci`, in the same run (the peer: what any Node project pays).
// 2. The runner's own CPU (observers: scrape parsing, the rule evaluator, the servers' view; the
//    report) as a share of the whole game day's process CPU (store, database, vendors, load
//    generator and runner share one process). Goal: at most 5 %.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function firstCommand(): void {
  const work = mkdtempSync(join(tmpdir(), 'shopsre-bench-first-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--no-local', root, join(work, 'shopsre')]);
    const clone = join(work, 'shopsre');
    const readme = readFileSync(join(clone, 'README.md'), 'utf8').split('\n');
    const command = readme[3] ?? '';
    const env = { ...process.env, HOME: join(work, 'home'), npm_config_cache: join(work, 'npm-cache') };
    const timed = (cmd: string): { ms: number; status: number | null } => {
      const start = performance.now();
      const result = spawnSync('bash', ['-c', cmd], { cwd: clone, env, stdio: 'ignore' });
      return { ms: performance.now() - start, status: result.status };
    };
    const peerCache = join(work, 'npm-cache-peer');
    const peerStart = performance.now();
    spawnSync('bash', ['-c', 'npm ci --no-audit --no-fund'], {
      cwd: clone,
      env: { ...env, npm_config_cache: peerCache },
      stdio: 'ignore',
    });
    const peerMs = performance.now() - peerStart;
    rmSync(join(clone, 'node_modules'), { recursive: true, force: true });
    const first = timed(command);
    console.log(`README first command: ${command}`);
    console.log(
      `  end to end, clean npm cache and HOME: ${(first.ms / 1000).toFixed(1)} s (exit ${first.status}); ` +
        `peer npm ci alone, clean cache: ${(peerMs / 1000).toFixed(1)} s; ratio ${(first.ms / peerMs).toFixed(2)}×; ` +
        `goal under 180 s: ${first.ms < 180_000 ? 'met' : 'MISSED'}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function runnerShare(): Promise<void> {
  const { resolveScenario } = await import('../src/gameday/scenario/catalog.js');
  const { runScenario } = await import('../src/gameday/game-day.js');
  const { createLogger } = await import('../src/core/logger.js');
  const { systemClock } = await import('../src/core/clock.js');
  const work = mkdtempSync(join(tmpdir(), 'shopsre-bench-gameday-'));
  const cpu = (): number => {
    const usage = process.cpuUsage();
    return usage.user + usage.system;
  };
  try {
    const { scenario, path } = await resolveScenario('vendor-outage', work);
    const before = cpu();
    const outcome = await runScenario({
      scenario,
      scenarioPath: path,
      cwd: work,
      env: {},
      clock: systemClock,
      signal: new AbortController().signal,
      logger: createLogger({ sink: { write: () => undefined }, clock: systemClock }),
      prometheus: 'off',
      // The runner's sections are synchronous: their wall time on this thread is their CPU.
      cpuMicros: () => performance.now() * 1000,
    });
    const total = cpu() - before;
    const runner = outcome.runnerCpuMicros ?? 0;
    const share = runner / total;
    console.log(
      `game day vendor-outage (${outcome.journal.verdict.outcome}): process CPU ${(total / 1e6).toFixed(1)} s, ` +
        `runner (observers, evaluator, report) ${(runner / 1e6).toFixed(2)} s = ${(share * 100).toFixed(1)} % ` +
        `(of which the report ${((outcome.reportCpuMicros ?? 0) / 1e6).toFixed(2)} s) ` +
        `(goal ≤ 5 %: ${share <= 0.05 ? 'met' : 'MISSED'})`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await runnerShare();
if (process.env.BENCH_SKIP_FIRST_COMMAND !== '1') firstCommand();
