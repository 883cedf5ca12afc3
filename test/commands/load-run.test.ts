import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLoadRun } from '../../src/commands/load-run.js';
import type { SignalSource } from '../../src/commands/signals.js';
import type { LoadRunFlags } from '../../src/commands/load-run-flags.js';
import { fixedClock } from '../../src/core/clock.js';
import { ExitCode, InputError, UsageError } from '../../src/core/errors.js';
import { bufferWriter } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import { parseLoadResults } from '../../src/loadgen/results.js';
import { fakeStore, listen } from '../loadgen/journey/fake-store.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-load-run-'));
const store = fakeStore();
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  server = await listen(store);
});
afterAll(async () => {
  await server.close();
  rmSync(workdir, { recursive: true, force: true });
});
beforeEach(() => store.heal());

/** A signal source whose SIGINT the test sends. */
function fakeSignals(): SignalSource & { send(name: 'SIGINT' | 'SIGTERM'): void; listening(): number } {
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
    listening: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
  };
}

async function loadRun(flags: Partial<LoadRunFlags>, signals = fakeSignals()) {
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  const clock = fixedClock(Date.parse('2025-06-01T10:00:00Z'));
  const ctx = {
    io: { stdout, stderr, env: {}, cwd: workdir, isTTY: false },
    clock,
    logger: createLogger({ sink: stderr, clock }),
  };
  const code = await runLoadRun(
    { target: server.url, json: false, abortWhen: [], allowTarget: [], ...flags },
    ctx,
    { signals, lookup: () => Promise.reject(new Error('no DNS in tests')) },
  );
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function results(file: string) {
  const path = join(workdir, file);
  return parseLoadResults(path, readFileSync(path, 'utf8')).results;
}

const sloFile = (name: string, objective: number) => {
  writeFileSync(
    join(workdir, name),
    `apiVersion: shopsre/v1
kind: SLO
service: store
name: availability
objective: ${objective}
sli:
  events:
    errorQuery: sum(rate(http_requests_total{status_class="5xx"}[{{.window}}]))
    totalQuery: sum(rate(http_requests_total[{{.window}}]))
`,
  );
  return name;
};

describe('shopsre load run against a loopback store', () => {
  it('runs the checkout journey and writes a results document that passes the contract', async () => {
    const { code, stdout, stderr } = await loadRun({ rate: '40', duration: '2s', seed: '3', out: 'r.json' });
    expect(code).toBe(ExitCode.ok);
    const doc = results('r.json');
    expect(doc.run).toMatchObject({ executor: 'constant-arrival-rate', seed: 3, target: server.url });
    expect(doc.totals.iterations).toBeGreaterThanOrEqual(70);
    expect(doc.totals.errors).toBe(0);
    expect(Object.keys(doc.byStep)).toEqual(expect.arrayContaining(['browse', 'product']));
    expect(Object.keys(doc.bySegment)).toEqual(expect.arrayContaining(['guest', 'member']));
    expect(stdout).toMatch(
      /^SEGMENT\s+STEP\s+REQUESTS\s+ERRORS\s+OUT-OF-STOCK\s+DECLINED\s+PENDING\s+P50\s+P95\s+P99\s+RATE\/S\s+DROPPED\n/,
    );
    expect(stdout).toMatch(/\n\(all\)\s+\(all\)\s+\d+\s+0\s/);
    expect(stderr).toMatch(/^info load run started run=run-20250601t100000z-[0-9a-f]{6} /);
  });

  it('--json prints the document alone on stdout, tables on stderr', async () => {
    const { code, stdout, stderr } = await loadRun({
      target: `${server.url}/api/cart`,
      journey: 'single',
      rate: '20',
      duration: '1s',
      json: true,
    });
    expect(code).toBe(ExitCode.ok);
    const single = parseLoadResults('stdout', stdout).results.byStep.single;
    expect(single?.requests).toBeGreaterThan(0);
    expect(single?.errors).toBe(0);
    expect(stderr).toContain('SEGMENT');
  });

  it('--slo gates on the run: a breach exits 1 with the SLO table', async () => {
    store.fail('unknown', { status: 503 });
    const { code, stdout } = await loadRun({
      target: `${server.url}/broken`,
      journey: 'single',
      rate: '30',
      duration: '1s',
      slo: sloFile('tight.yaml', 99.9),
    });
    expect(code).toBe(ExitCode.checkFailed);
    expect(stdout).toMatch(/store\/availability\s+guest\s.*FAIL\n/);
    expect(stdout).toMatch(/\nFAIL: 3 SLOs/);
  });

  it('--slo passes a healthy run with exit 0', async () => {
    const { code, stdout } = await loadRun({
      target: `${server.url}/api/cart`,
      journey: 'single',
      rate: '30',
      duration: '1s',
      slo: sloFile('ok.yaml', 99),
    });
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toMatch(/\nPASS: 3 SLOs/);
  });

  it('--slo: a segment the run never reached is NO DATA, not PASS; --require-data fails on it', async () => {
    const name = 'wholesale.yaml';
    writeFileSync(
      join(workdir, name),
      readFileSync(join(workdir, sloFile('base.yaml', 99)), 'utf8').replace(
        'kind: SLO\n',
        'kind: SLO\nsegments: { label: segment, values: [guest, wholesale] }\n',
      ),
    );
    const run = (requireData: boolean) =>
      loadRun({
        target: `${server.url}/api/cart`,
        journey: 'single',
        rate: '30',
        duration: '1s',
        slo: name,
        requireData,
      });
    const warned = await run(false);
    expect(warned.code).toBe(ExitCode.ok);
    expect(warned.stdout).toMatch(/store\/availability\s+wholesale\s+99%\s+no data\s.*NO DATA\n/);
    expect(warned.stdout).toMatch(/\nPASS: 2 SLOs, 1 pass, 0 warn, 0 fail, 1 no data/);
    const required = await run(true);
    expect(required.code).toBe(ExitCode.checkFailed);
    expect(required.stdout).toMatch(/FAIL store-availability-wholesale: no-data: no events over the run/);
  });

  it('--abort-when stops the run early with exit 1, naming the condition, and still writes results', async () => {
    store.fail('unknown', { status: 500 });
    const { code, stderr } = await loadRun({
      target: `${server.url}/broken`,
      journey: 'single',
      rate: '30',
      duration: '20s',
      abortWhen: ['error_rate>0.5 for 2s'],
      out: 'aborted.json',
    });
    expect(code).toBe(ExitCode.checkFailed);
    expect(stderr).toMatch(/stopped after [23]s: --abort-when "error_rate>0.5 for 2s" held/);
    expect(results('aborted.json').run.durationMs).toBeLessThan(5000);
  });

  it('SIGINT stops the run, still writes the results, and removes its handlers', async () => {
    const signals = fakeSignals();
    const running = loadRun({ rate: '20', duration: '20s', out: 'interrupted.json' }, signals);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(signals.listening()).toBe(3);
    signals.send('SIGINT');
    const { code, stderr } = await running;
    expect(code).toBe(ExitCode.checkFailed);
    expect(stderr).toContain('interrupted: the run stopped early; the results cover the part that ran');
    const doc = results('interrupted.json');
    expect(doc.run.durationMs).toBeLessThan(3000);
    expect(doc.totals.iterations).toBeGreaterThan(0);
    expect(signals.listening()).toBe(0);
  });

  it('--workers 2 runs two threads and merges their results into one document', async () => {
    const { code } = await loadRun({ rate: '40', duration: '1s', workers: '2', out: 'workers.json' });
    expect(code).toBe(ExitCode.ok);
    const doc = results('workers.json');
    // 40 arrivals per second for 1 s, interleaved over the two threads.
    expect(doc.totals.iterations).toBe(40);
    expect(doc.totals.errors).toBe(0);
  });

  it('exits 3 when every request fails to connect, and says so', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, stderr } = await loadRun({
      target: `http://127.0.0.1:${port}`,
      rate: '10',
      duration: '1s',
      out: 'down.json',
    });
    expect(code).toBe(ExitCode.environment);
    expect(stderr).toMatch(
      /target unreachable: all \d+ requests failed to connect to http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(existsSync(join(workdir, 'down.json'))).toBe(true);
  });
});

describe('bad input exits 2 before any load is sent', () => {
  it.each([
    [{ target: 'http://10.0.0.1:8080' }, /refusing to send load to 10\.0\.0\.1/],
    [{ rate: 'fast' }, /--rate "fast": expected a number/],
    [{ duration: '30' }, /--duration "30": expected a duration/],
    [{ abortWhen: ['latency>5'] }, /--abort-when "latency>5": unknown metric/],
    [{ out: 'no/such/dir/r.json' }, /--out no\/such\/dir\/r\.json: cannot write there/],
  ])('refuses %o', async (flags, message) => {
    const before = store.seen.length;
    await expect(loadRun(flags)).rejects.toThrow(UsageError);
    await expect(loadRun(flags)).rejects.toThrow(message);
    expect(store.seen.length).toBe(before);
  });

  it('reports profile typos at file:line:col', async () => {
    writeFileSync(join(workdir, 'typo.yaml'), 'apiVersion: shopsre/v1\nkind: LoadProfile\nseeed: 4\n');
    const failure = loadRun({ profile: 'typo.yaml' });
    await expect(failure).rejects.toBeInstanceOf(InputError);
    await expect(failure).rejects.toThrow('typo.yaml:3:1: unknown key "seeed" (did you mean "seed"?)');
  });
});
