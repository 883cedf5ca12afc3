import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runLoadRun } from '../../src/commands/load-run.js';
import type { SignalSource } from '../../src/commands/signals.js';
import { fixedClock } from '../../src/core/clock.js';
import { ExitCode } from '../../src/core/errors.js';
import { bufferWriter } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import { fakeStore, listen } from '../loadgen/journey/fake-store.js';

/**
 * What a terminal shows: a grid of lines that writes land on, with the cursor movements ink's redraw
 * uses (erase line, cursor up, column 1). Enough of a VT100 to see a line drawn twice.
 */
class Terminal extends EventEmitter {
  readonly isTTY = true;
  readonly rows = 40;
  private readonly screen: string[] = [''];
  private row = 0;
  private col = 0;

  constructor(readonly columns: number) {
    super();
  }

  write(chunk: string | Uint8Array, callback?: () => void): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (let i = 0; i < text.length;) {
      // eslint-disable-next-line no-control-regex -- a terminal's escape sequences are control characters
      const control = /^\u001B(?:\[([?\d;]*)([A-Za-z])|\][^\u0007]*\u0007)/.exec(text.slice(i));
      if (control) {
        if (control[2] !== undefined) this.csi(control[1] ?? '', control[2]);
        i += control[0].length;
        continue;
      }
      const ch = text[i] ?? '';
      if (ch === '\n') this.moveTo(this.row + 1, 0);
      else if (ch === '\r') this.col = 0;
      else {
        if (this.col >= this.columns) this.moveTo(this.row + 1, 0);
        const line = (this.screen[this.row] ?? '').padEnd(this.col, ' ');
        this.screen[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1);
        this.col++;
      }
      i += ch.length || 1;
    }
    callback?.();
    return true;
  }

  /** The lines on screen, trailing blanks trimmed. */
  lines(): string[] {
    return this.screen.map((line) => line.trimEnd());
  }

  private csi(params: string, command: string): void {
    const n = Number.parseInt(params, 10);
    switch (command) {
      case 'A':
        this.row = Math.max(0, this.row - (Number.isNaN(n) ? 1 : n));
        break;
      case 'B':
        this.moveTo(this.row + (Number.isNaN(n) ? 1 : n), this.col);
        break;
      case 'G':
        this.col = Number.isNaN(n) ? 0 : n - 1;
        break;
      case 'K':
        this.screen[this.row] = params === '2' ? '' : (this.screen[this.row] ?? '').slice(0, this.col);
        break;
      case 'J':
        if (params === '2' || params === '3') this.screen.splice(0, this.screen.length, '');
        break;
      case 'H':
        this.row = 0;
        this.col = 0;
        break;
      default:
        // Colours, cursor visibility, synchronized output: nothing that moves text.
        break;
    }
  }

  private moveTo(row: number, col: number): void {
    while (this.screen.length <= row) this.screen.push('');
    this.row = row;
    this.col = col;
  }
}

const noSignals: SignalSource = { on: () => undefined, off: () => undefined };
const workdir = mkdtempSync(join(tmpdir(), 'shopsre-load-tty-'));
const store = fakeStore();
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  server = await listen(store);
  // ink decides at import whether it runs in CI (then it draws only the last frame, and nothing is
  // erased); this test is about the redraw on a terminal, wherever it runs.
  vi.stubEnv('CI', 'false');
  vi.stubEnv('CONTINUOUS_INTEGRATION', 'false');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await server.close();
  rmSync(workdir, { recursive: true, force: true });
});

describe('load run on a terminal', () => {
  it('draws the live view once: its title line appears once, and so does the log line before it', async () => {
    const terminal = new Terminal(130);
    const stdout = bufferWriter();
    const clock = fixedClock(Date.parse('2025-06-01T10:00:00Z'));
    const code = await runLoadRun(
      { target: server.url, rate: '20', duration: '3s', json: false, abortWhen: [], allowTarget: [] },
      {
        io: { stdout, stderr: terminal, env: {}, cwd: workdir, isTTY: true },
        clock,
        logger: createLogger({ sink: terminal, clock }),
      },
      { signals: noSignals, lookup: () => Promise.reject(new Error('no DNS in tests')) },
    );
    expect(code).toBe(ExitCode.ok);
    const screen = terminal.lines();
    const titles = screen.filter((line) => line.startsWith(`load ${server.url} (constant-arrival-rate)`));
    expect(titles, screen.join('\n')).toHaveLength(1);
    expect(screen.filter((line) => line.startsWith('info load run started'))).toHaveLength(1);
    // The live view did draw (a frame stays on screen; which second it shows depends on how busy the
    // machine was when ink last drew).
    expect(
      screen.some((line) => /\d:\d\d\/0:03/.test(line)),
      screen.join('\n'),
    ).toBe(true);
  });
});
