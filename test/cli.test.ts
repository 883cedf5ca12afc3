import { describe, expect, it, vi } from 'vitest';
import { run } from '../src/cli.js';
import { bufferWriter, type Io } from '../src/core/io.js';
import { ExitCode, InputError, UsageError } from '../src/core/errors.js';

const validate = vi.hoisted(() => vi.fn());
vi.mock('../src/commands/slo-validate.js', () => ({ runSloValidate: validate }));

function io(): Io & { out: () => string; err: () => string } {
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  return {
    stdout,
    stderr,
    env: {},
    cwd: '/tmp',
    isTTY: false,
    out: () => stdout.text(),
    err: () => stderr.text(),
  };
}

describe('argv in, options and exit code out', () => {
  it('passes paths and flags to the validate handler', async () => {
    validate.mockResolvedValueOnce(ExitCode.ok);
    const code = await run(['slo', 'validate', 'a.yaml', 'dir', '--json'], io());
    expect(code).toBe(0);
    expect(validate).toHaveBeenCalledWith({ paths: ['a.yaml', 'dir'], json: true }, expect.anything());
  });

  it('turns commander usage errors into exit 2, not 1', async () => {
    const term = io();
    expect(await run(['slo', 'validate'], term)).toBe(2);
    expect(term.err()).toMatch(/missing required argument 'paths'/);
    expect(await run(['slo', 'frobnicate'], io())).toBe(2);
    expect(await run(['--no-such-flag'], io())).toBe(2);
    expect(await run(['slo', 'generate', 'x.yaml', '--format', 'nagios'], io())).toBe(2);
  });

  it('prints help and the version with exit 0', async () => {
    const term = io();
    expect(await run(['--help'], term)).toBe(0);
    expect(term.out()).toMatch(/Usage: shopsre/);
    const v = io();
    expect(await run(['--version'], v)).toBe(0);
    expect(v.out()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints a user error as its lines, without a stack, with its exit code', async () => {
    validate.mockRejectedValueOnce(
      new InputError([{ location: { file: 'a.yaml', line: 3, col: 5 }, message: 'bad thing' }]),
    );
    const term = io();
    expect(await run(['slo', 'validate', 'a.yaml'], term)).toBe(2);
    expect(term.err()).toBe('a.yaml:3:5: bad thing\n');
    validate.mockRejectedValueOnce(new UsageError('no SLO files given'));
    expect(await run(['slo', 'validate', 'a.yaml'], io())).toBe(2);
  });

  it('exits 4 on an internal error, with one line that calls it a bug, and a stack only under --debug', async () => {
    validate.mockRejectedValueOnce(new TypeError('boom'));
    const quiet = io();
    expect(await run(['slo', 'validate', 'a.yaml'], quiet)).toBe(ExitCode.internal);
    expect(ExitCode.internal).toBe(4);
    expect(quiet.err()).toBe(
      'internal error (a bug in shopsre, exit 4): boom; rerun with --debug for the stack and report it\n',
    );
    expect(quiet.err()).not.toMatch(/at .*cli/);
    validate.mockRejectedValueOnce(new TypeError('boom'));
    const loud = io();
    expect(await run(['--debug', 'slo', 'validate', 'a.yaml'], loud)).toBe(4);
    expect(loud.err()).toMatch(/TypeError: boom\n\s+at /);
  });
});
