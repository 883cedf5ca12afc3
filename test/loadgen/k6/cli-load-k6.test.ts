import { describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli.js';
import { ExitCode } from '../../../src/core/errors.js';
import { bufferWriter, type Io } from '../../../src/core/io.js';

const loadK6 = vi.hoisted(() => vi.fn());
vi.mock('../../../src/commands/load-k6.js', () => ({ runLoadK6: loadK6 }));

function io(): Io & { out: () => string } {
  const stdout = bufferWriter();
  return { stdout, stderr: bufferWriter(), env: {}, cwd: '/tmp', isTTY: false, out: () => stdout.text() };
}

describe('shopsre load k6: argv in, options out', () => {
  it('passes the profile argument and every flag, as text, to the handler', async () => {
    loadK6.mockResolvedValueOnce(ExitCode.ok);
    const argv = [
      'load',
      'k6',
      'load.yaml',
      '--target',
      'http://store:8080',
      '--preset',
      'spike',
      '--rate',
      '20',
      '--duration',
      '5m',
      '--max-in-flight',
      '300',
      '--seed',
      '7',
      '--slo',
      'slos.yaml',
      '--operator',
      '--parallelism',
      '4',
      '--namespace',
      'load',
      '--name',
      'spike-test',
      '--apply',
      '--kubeconfig',
      'kc.yaml',
    ];
    expect(await run(argv, io())).toBe(ExitCode.ok);
    expect(loadK6).toHaveBeenCalledWith(
      {
        profile: 'load.yaml',
        target: 'http://store:8080',
        preset: 'spike',
        rate: '20',
        duration: '5m',
        maxInFlight: '300',
        seed: '7',
        slo: 'slos.yaml',
        operator: true,
        parallelism: '4',
        namespace: 'load',
        name: 'spike-test',
        apply: true,
        kubeconfig: 'kc.yaml',
        allowTarget: [],
      },
      expect.anything(),
    );
  });

  it('without --operator and --apply both are false, and no profile is undefined', async () => {
    loadK6.mockResolvedValueOnce(ExitCode.ok);
    await run(['load', 'k6', '--target', 'http://127.0.0.1:8080'], io());
    expect(loadK6).toHaveBeenLastCalledWith(
      { profile: undefined, target: 'http://127.0.0.1:8080', operator: false, apply: false, allowTarget: [] },
      expect.anything(),
    );
  });

  it('refuses an unknown executor as bad usage (exit 2), before the handler', async () => {
    loadK6.mockClear();
    expect(await run(['load', 'k6', '--executor', 'per-vu-iterations'], io())).toBe(ExitCode.badInput);
    expect(loadK6).not.toHaveBeenCalled();
  });

  it('documents exit codes and examples in --help', async () => {
    const term = io();
    expect(await run(['load', 'k6', '--help'], term)).toBe(ExitCode.ok);
    expect(term.out()).toContain(
      'Exit codes: 0 written (and created with --apply), 2 bad input or a refused namespace,',
    );
    expect(term.out()).toContain(
      'shopsre load k6 load.yaml --slo slos.yaml --operator --parallelism 4 --namespace load --apply',
    );
  });
});
