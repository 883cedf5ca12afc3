import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortened } from '../gameday/e2e/support.js';

/**
 * shopsre as a user gets it: `npm pack`, installed into an empty project elsewhere, run from a
 * folder that is not the repository. Files it ships (scenarios, the store's SLOs, schemas) must be
 * found from the installed package. Dependencies come from npm's cache (`npm ci` filled it).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'shopsre-installed-'));
const project = join(work, 'project');
const elsewhere = join(work, 'elsewhere');
let bin = '';

beforeAll(() => {
  mkdirSync(project);
  mkdirSync(elsewhere);
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
  });
  const tarball = join(work, packed.trim().split('\n').at(-1) ?? '');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-shopsre', private: true }));
  execFileSync(
    'npm',
    ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    {
      cwd: project,
      encoding: 'utf8',
    },
  );
  bin = join(project, 'node_modules', '.bin', 'shopsre');
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function shopsre(args: string[], cwd = elsewhere) {
  const result = spawnSync(bin, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 150_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the installed package, run outside the repository', () => {
  it('ships only what it needs: no sources, tests or fixtures', () => {
    const listed = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' });
    const files = (JSON.parse(listed) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(files).toContain('dist/shopsre.js');
    expect(files).toContain('scenarios/vendor-outage.yaml');
    expect(files).toContain('reference-store/slos.yaml');
    expect(files).toContain('schemas/scenario.schema.json');
    expect(files.filter((f) => /^(src|test|bench)\//.test(f) || f.startsWith('schemas/crds/'))).toEqual([]);
  });

  it('lists and validates the shipped scenarios and SLOs from the installed files', () => {
    const list = shopsre(['gameday', 'list', '--json']);
    expect(list.code).toBe(0);
    const names = (JSON.parse(list.stdout) as { scenarios: { name: string }[] }).scenarios.map((s) => s.name);
    expect(names).toContain('vendor-outage');
    const slos = join(project, 'node_modules', 'shopsre', 'reference-store', 'slos.yaml');
    expect(shopsre(['slo', 'validate', slos]).code).toBe(0);
  });

  it('runs a game day against the embedded store and leaves its postmortem where it was run', () => {
    const scenario = shortened('vendor-outage', elsewhere);
    const result = shopsre(['gameday', 'run', scenario, '--no-prometheus', '--out', 'gd', '--json']);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout) as { verdict: string; postmortem: string };
    expect(line.verdict).toBe('held');
    expect(line.postmortem).toBe(join(elsewhere, 'gd', 'postmortem.md'));
    expect(readFileSync(line.postmortem, 'utf8')).toMatch(/^# Postmortem: Primary payment vendor outage/);
  }, 150_000);
});
