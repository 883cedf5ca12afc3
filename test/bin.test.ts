import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { builtBinary as bin } from './helpers/built-binary.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-bin-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** A spec whose rules are megabytes long, far more than a pipe buffers. */
function largeSpec(): string {
  const example = readFileSync(join(root, 'examples/checkout.slo.yaml'), 'utf8');
  const entry = example.slice(
    example.indexOf('  - name: checkout-availability'),
    example.indexOf('  - name: checkout-latency'),
  );
  const slos = Array.from({ length: 40 }, (_, i) =>
    entry.replace('name: checkout-availability', `name: journey-${i}`),
  );
  const file = join(workdir, 'large.slo.yaml');
  writeFileSync(file, `apiVersion: shopsre/v1\nkind: SLOList\nservice: store\nslos:\n${slos.join('')}`);
  return file;
}

describe('the shopsre binary', () => {
  it('exits quietly when its reader closes the pipe early (shopsre ... | head)', async () => {
    const child = spawn(process.execPath, [bin, 'slo', 'generate', largeSpec()], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('prints its version without loading the command parser', async () => {
    const child = spawn(process.execPath, [bin, '--version'], { cwd: root });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
