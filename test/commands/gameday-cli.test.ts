import { describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli.js';
import { ExitCode } from '../../src/core/errors.js';
import { bufferWriter, type Io } from '../../src/core/io.js';

const gameDayRun = vi.hoisted(() => vi.fn());
vi.mock('../../src/commands/gameday-run.js', () => ({ runGameDayCommand: gameDayRun }));

function io(): Io & { err: () => string } {
  const stderr = bufferWriter();
  return { stdout: bufferWriter(), stderr, env: {}, cwd: '/tmp', isTTY: false, err: () => stderr.text() };
}

/**
 * Every flag `gameday run --help` names reaches the handler: the end-to-end tests call the handler
 * directly, so a flag missing from the command tree (as --drill once was) is only seen here.
 */
describe('shopsre gameday run: argv in, options out', () => {
  it('passes every flag, repeatable ones as lists', async () => {
    gameDayRun.mockResolvedValueOnce(ExitCode.ok);
    const argv = [
      'gameday',
      'run',
      './mine.yaml',
      '--out',
      'gd',
      '--json',
      '--junit',
      'gd.xml',
      '--seed',
      '7',
      '--time-scale',
      '30',
      '--state',
      's.json',
      '--drill',
      '--allow-target',
      'store.lab',
      '--allow-target',
      'proxies.lab',
      '--prometheus',
      'http://prometheus.lab:9090',
    ];
    expect(await run(argv, io())).toBe(ExitCode.ok);
    expect(gameDayRun).toHaveBeenLastCalledWith(
      {
        scenario: './mine.yaml',
        out: 'gd',
        json: true,
        junit: 'gd.xml',
        seed: '7',
        timeScale: '30',
        state: 's.json',
        drill: true,
        allowTarget: ['store.lab', 'proxies.lab'],
        prometheus: true,
        prometheusUrl: 'http://prometheus.lab:9090',
        withPrometheus: false,
      },
      expect.anything(),
    );
  });

  it('defaults: a Prometheus when installed, no hosts beyond loopback, no drill', async () => {
    gameDayRun.mockResolvedValueOnce(ExitCode.ok);
    await run(['gameday', 'run', 'vendor-outage'], io());
    expect(gameDayRun).toHaveBeenLastCalledWith(
      { scenario: 'vendor-outage', json: false, prometheus: true, withPrometheus: false, allowTarget: [] },
      expect.anything(),
    );
  });

  it.each([
    [['--no-prometheus'], { prometheus: false, withPrometheus: false }],
    [['--with-prometheus'], { prometheus: true, withPrometheus: true }],
    [['--keep-database'], { prometheus: true, withPrometheus: false, keepDatabase: true }],
  ])('%j', async (flags, expected) => {
    gameDayRun.mockResolvedValueOnce(ExitCode.ok);
    await run(['gameday', 'run', 'vendor-outage', ...flags], io());
    expect(gameDayRun).toHaveBeenLastCalledWith(
      { scenario: 'vendor-outage', json: false, allowTarget: [], ...expected },
      expect.anything(),
    );
  });

  it('refuses an unknown flag with exit 2 before running anything', async () => {
    gameDayRun.mockClear();
    const terminal = io();
    expect(await run(['gameday', 'run', 'vendor-outage', '--dril'], terminal)).toBe(ExitCode.badInput);
    expect(terminal.err()).toContain("unknown option '--dril'");
    expect(gameDayRun).not.toHaveBeenCalled();
  });
});
