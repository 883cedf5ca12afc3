import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { buildProgram } from '../../src/cli.js';
import { runRunbookLint, shopsreParser } from '../../src/commands/runbook-lint.js';
import { runbookText } from './builders.js';
import { commandContext, repoRoot } from './helpers.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-runbook-lint-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** The shipped runbooks, copied so a test can add one. */
function shippedCopy(name: string): string {
  const dir = join(workdir, name);
  cpSync(join(repoRoot, 'runbooks'), dir, { recursive: true });
  return dir;
}

describe('runbook lint', () => {
  it('passes on the shipped runbooks against the reference store SLOs and the chaos catalogue', async () => {
    const { ctx, stdout, stderr } = commandContext(repoRoot);
    const code = await runRunbookLint({ slos: [] }, ctx, buildProgram);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toMatch(/^ok: 13 runbooks, \d+ steps, 5 alerts, 8 faults\n$/);
    expect(code).toBe(ExitCode.ok);
  });

  it('finds the alert of a newly added SLO that has no runbook, at its name in the SLO file', async () => {
    const slos = join(workdir, 'slos.yaml');
    const reference = readFileSync(join(repoRoot, 'reference-store/slos.yaml'), 'utf8');
    const added = [
      '  - name: search-availability',
      '    description: Search answers.',
      '    segmented: false',
      '    objective: 99',
      '    sli:',
      '      events:',
      '        errorQuery: sum(rate(http_requests_total{route="/api/search",status_class="5xx"}[{{.window}}]))',
      '        totalQuery: sum(rate(http_requests_total{route="/api/search"}[{{.window}}]))',
      '',
    ].join('\n');
    writeFileSync(slos, `${reference.trimEnd()}\n\n${added}`);
    const line = reference.trimEnd().split('\n').length + 2;
    const { ctx, stdout } = commandContext(workdir);
    const code = await runRunbookLint(
      { slos: ['slos.yaml'], dir: join(repoRoot, 'runbooks') },
      ctx,
      buildProgram,
    );
    expect(stdout.text()).toBe(
      `slos.yaml:${line}:11: alert "SearchAvailabilityBudgetBurn" (SLO search-availability) has no runbook: list it under "alerts" in a runbook of ${join(repoRoot, 'runbooks')}\n`,
    );
    expect(code).toBe(ExitCode.checkFailed);
  });

  it('finds a misspelt shopsre command, a bad flag and an unknown placeholder, each at its line and column', async () => {
    const dir = shippedCopy('misspelt');
    writeFileSync(
      join(dir, 'extra.md'),
      runbookText({
        frontMatter:
          'apiVersion: shopsre/v1\nkind: Runbook\nowner: x\nescalation: y\nlastVerified: 2026-12-01',
        steps: [
          { attributes: '{name=report readonly}', command: 'echo start\nshopsre slo reprot "$SLO_FILE"' },
          {
            attributes: '{name=probe readonly}',
            command: 'shopsre load run --target "$STORE_URL" --duraton 3s',
          },
          {
            attributes: '{name=verify readonly}',
            command: 'shopsre store verify --url "$STOR_URL" && shopsre chaos status',
          },
          {
            attributes: '{name=help readonly}',
            command: 'SHOPSRE_X=1 shopsre runbook lint --help | head -1',
          },
        ],
      }),
    );
    const { ctx, stdout } = commandContext(workdir);
    const code = await runRunbookLint({ slos: [], dir }, ctx, buildProgram);
    const findings = stdout.text().trim().split('\n');
    expect(findings).toEqual([
      expect.stringMatching(
        /^misspelt\/extra\.md:25:1: step "report": shopsre slo reprot \$SLO_FILE: unknown command 'reprot'/,
      ),
      'misspelt/extra.md:29:1: step "probe": shopsre load run --target $STORE_URL --duraton 3s: unknown option \'--duraton\' (Did you mean --duration?)',
      'misspelt/extra.md:33:29: unknown placeholder $STOR_URL (did you mean $STORE_URL?) in step "verify"; known: $SEGMENT, $SLO, $SERVICE, $STORE_URL, $PROMETHEUS_URL, $SLO_FILE',
    ]);
    expect(findings[0]).toContain('(Did you mean report?)');
    expect(code).toBe(ExitCode.checkFailed);
  });

  it('finds a fault of the catalogue that no runbook serves', async () => {
    const dir = shippedCopy('no-partition');
    rmSync(join(dir, 'network-partition.md'));
    const { ctx, stdout } = commandContext(workdir);
    await runRunbookLint({ slos: [], dir }, ctx, buildProgram);
    expect(stdout.text()).toBe(
      'no-partition:1:1: fault "partition" of the chaos catalogue has no runbook: list it under "faults" in a runbook\n',
    );
  });

  it('parses against the real command tree without running a handler or printing help', () => {
    const parse = shopsreParser(repoRoot, buildProgram);
    expect(parse(['slo', 'report', 'x.yaml', '--prometheus', 'http://127.0.0.1:9090'])).toBeUndefined();
    expect(parse(['store', 'serve', '--help'])).toBeUndefined();
    expect(parse(['runbook', 'run', 'x', '--yes', '--readonly'])).toBeUndefined();
    expect(parse(['chaos', 'inject'])).toBe("missing required argument 'fault'");
  });
});
