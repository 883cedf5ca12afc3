import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { builtBinary as bin } from '../helpers/built-binary.js';

/**
 * `runbook run` from the built bundle on a real pseudo-terminal (util-linux `script` gives the process
 * a PTY): the bundle must mount the ink runner (a bundled `import('react')` has no named exports, which
 * once broke it only there), show the first step, and stop on q with exit 1 and nothing run.
 */

describe('runbook run on a terminal, from the built binary', () => {
  it('shows the first step with its placeholders filled and stops on q', async () => {
    const command = `${process.execPath} ${bin} runbook run checkout-availability --label segment=vip --store-url http://127.0.0.1:9`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { ...process.env, TERM: 'xterm', COLUMNS: '160', LINES: '40', NO_COLOR: '1', CI: 'false' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!output.includes('Enter run') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('step 1/');
    expect(output).toContain('http://127.0.0.1:9/readyz');
    expect(output).not.toMatch(/internal error/);
    child.stdin.write('q');
    const code = await exited;
    expect(output).toMatch(/stopped: 0 passed, 0 failed, 0 skipped, \d+ not run/);
    expect(code).toBe(1);
  }, 30_000);
});
