import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderK6Script } from '../../../src/loadgen/k6/script.js';
import type { Slo } from '../../../src/slo/model.js';
import { executorKinds, exampleSlos, plan, repoRoot } from './fixtures.js';

const workdir = mkdtempSync(join(tmpdir(), 'shopsre-k6-types-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/**
 * Type-checks JavaScript files as a k6 user's editor would, against @types/k6: `checkJs` reads the
 * JSDoc in the script (`@type {import("k6/options").Options}` on `options`), so a misspelt scenario
 * field or k6 API call is an error. The lib is ES2017, what k6's JavaScript runtime provides, so a
 * newer built-in (Array.prototype.findLast, say) fails too.
 */
function typeCheck(files: Readonly<Record<string, string>>): Record<string, string[]> {
  const paths = Object.entries(files).map(([name, text]) => {
    const path = join(workdir, name);
    writeFileSync(path, text);
    return path;
  });
  const program = ts.createProgram(paths, {
    allowJs: true,
    checkJs: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2017,
    lib: ['lib.es2017.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['k6'],
    typeRoots: [join(repoRoot, 'node_modules/@types')],
  });
  const byFile: Record<string, string[]> = {};
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName.replace(`${workdir}/`, '') ?? '(global)';
    (byFile[file] ??= []).push(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  }
  return byFile;
}

let slos: Slo[] = [];
beforeAll(async () => {
  slos = await exampleSlos();
});

describe('every generated k6 script type-checks against @types/k6', () => {
  it('for the four executors × both journeys × without and with SLOs (segmented availability and latency, unsegmented multi-step)', () => {
    const scripts: Record<string, string> = {};
    for (const executor of executorKinds) {
      for (const journey of ['checkout', 'single'] as const) {
        for (const [label, withSlos] of [
          ['no-slos', []],
          ['slos', slos],
        ] as const) {
          scripts[`${executor}-${journey}-${label}.js`] = renderK6Script(plan(executor, journey), withSlos, {
            version: 'test',
          });
        }
      }
    }
    expect(Object.keys(scripts)).toHaveLength(16);
    expect(slos.map((slo) => slo.loadResults.kind)).toEqual(
      expect.arrayContaining(['availability', 'latency']),
    );
    expect(typeCheck(scripts)).toEqual({});
  });

  it('and the check can fail: a misspelt k6 call, scenario field or threshold shape is reported', () => {
    const script = renderK6Script(plan('constant-arrival-rate'), slos, { version: 'test' });
    const broken = {
      'call.js': script.replace('http.request(', 'http.gett('),
      'scenario.js': script.replace('preAllocatedVUs:', 'preAllocatedVU:'),
      'threshold.js': script.replace('abortOnFail: false', 'abortOnFail: "no"'),
      'builtin.js': script.replace(
        '.filter((entry) => entry[1] > 0).pop()',
        '.findLast((entry) => entry[1] > 0)',
      ),
    };
    const found = typeCheck(broken);
    expect(Object.keys(found).sort()).toEqual(['builtin.js', 'call.js', 'scenario.js', 'threshold.js']);
    expect(found['call.js']?.join('\n')).toMatch(/Property 'gett' does not exist/);
    expect(found['scenario.js']?.join('\n')).toMatch(/'preAllocatedVU' does not exist/);
    expect(found['threshold.js']?.join('\n')).toMatch(/Type 'string' is not assignable to type 'boolean/);
    expect(found['builtin.js']?.join('\n')).toMatch(/Property 'findLast' does not exist/);
  });
});
