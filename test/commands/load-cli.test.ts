import { describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli.js';
import { ExitCode } from '../../src/core/errors.js';
import { bufferWriter, type Io } from '../../src/core/io.js';

const loadRun = vi.hoisted(() => vi.fn());
const loadMerge = vi.hoisted(() => vi.fn());
vi.mock('../../src/commands/load-run.js', () => ({ runLoadRun: loadRun }));
vi.mock('../../src/commands/load-merge.js', () => ({ runLoadMerge: loadMerge }));

function io(): Io & { out: () => string } {
  const stdout = bufferWriter();
  return { stdout, stderr: bufferWriter(), env: {}, cwd: '/tmp', isTTY: false, out: () => stdout.text() };
}

describe('shopsre load: argv in, options out', () => {
  it('passes run flags as given, repeatable ones as lists', async () => {
    loadRun.mockResolvedValueOnce(ExitCode.ok);
    const argv = [
      'load',
      'run',
      '--target',
      'http://127.0.0.1:8080',
      '--preset',
      'flash-sale',
      '--rate',
      '20',
      '--max-in-flight',
      '50',
      '--abort-when',
      'error_rate>0.5 for 10s',
      '--abort-when',
      'dropped>100',
      '--allow-target',
      'staging',
      '--json',
    ];
    expect(await run(argv, io())).toBe(ExitCode.ok);
    expect(loadRun).toHaveBeenCalledWith(
      {
        target: 'http://127.0.0.1:8080',
        preset: 'flash-sale',
        rate: '20',
        maxInFlight: '50',
        abortWhen: ['error_rate>0.5 for 10s', 'dropped>100'],
        allowTarget: ['staging'],
        json: true,
      },
      expect.anything(),
    );
  });

  it('defaults the lists to empty and --json to false', async () => {
    loadRun.mockResolvedValueOnce(ExitCode.ok);
    await run(['load', 'run', '--target', 'http://127.0.0.1:1'], io());
    expect(loadRun).toHaveBeenLastCalledWith(
      { target: 'http://127.0.0.1:1', abortWhen: [], allowTarget: [], json: false },
      expect.anything(),
    );
  });

  it('passes merge files and flags', async () => {
    loadMerge.mockResolvedValueOnce(ExitCode.ok);
    await run(['load', 'merge', 'a.json', 'b.json', '--out', 'all.json'], io());
    expect(loadMerge).toHaveBeenCalledWith(
      ['a.json', 'b.json'],
      { out: 'all.json', json: false },
      expect.anything(),
    );
  });

  it('refuses unknown executors, journeys and presets with exit 2', async () => {
    expect(await run(['load', 'run', '--executor', 'per-vu-iterations'], io())).toBe(ExitCode.badInput);
    expect(await run(['load', 'run', '--journey', 'browse'], io())).toBe(ExitCode.badInput);
    expect(await run(['load', 'run', '--preset', 'black-friday'], io())).toBe(ExitCode.badInput);
    expect(await run(['load', 'merge'], io())).toBe(ExitCode.badInput);
  });

  it('documents exit codes and examples in --help', async () => {
    const term = io();
    expect(await run(['load', 'run', '--help'], term)).toBe(ExitCode.ok);
    expect(term.out()).toContain('3 target unreachable');
    expect(term.out()).toContain(
      'shopsre load run --target http://127.0.0.1:8080 --preset steady --duration 30s --out r.json',
    );
  });
});
