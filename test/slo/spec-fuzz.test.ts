import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import { bufferWriter } from '../../src/core/io.js';
import { ShopsreError } from '../../src/core/errors.js';
import { loadFromMemory } from './helpers.js';

const example = readFileSync(new URL('../../examples/checkout.slo.yaml', import.meta.url), 'utf8');

/** Loading may succeed or fail with a user error; anything else (a crash) is a bug. */
async function loadOutcome(text: string): Promise<'ok' | 'input-error'> {
  try {
    await loadFromMemory({ 'slo.yaml': text });
    return 'ok';
  } catch (error) {
    if (error instanceof ShopsreError) {
      for (const line of error.lines()) expect(line).toMatch(/^(slo\.yaml:\d+:\d+: \S|no SLOs found)/);
      return 'input-error';
    }
    throw error;
  }
}

const lines = example.split('\n');

const textMutation = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat(lines.length - 1) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat(lines.length - 1) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(example.length),
    text: fc.string({ maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(example.length) }),
);

type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never;

function applyTextMutation(text: string, m: TextMutation): string {
  const rows = text.split('\n');
  switch (m.kind) {
    case 'delete-line':
      return rows.filter((_, i) => i !== m.at).join('\n');
    case 'duplicate-line':
      return rows.flatMap((row, i) => (i === m.at ? [row, row] : [row])).join('\n');
    case 'insert':
      return text.slice(0, m.at) + m.text + text.slice(m.at);
    case 'truncate':
      return text.slice(0, m.at);
  }
}

/** Paths to every value in the parsed example, to replace one with arbitrary JSON. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (typeof value === 'object' && value !== null) {
    return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  }
  return [prefix];
}

const parsedExample = parse(example) as Record<string, unknown>;
const allPaths = paths(parsedExample).filter((p) => p.length > 0);

function setIn(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = replacement;
  return copy;
}

describe('mutated SLO specs never crash the loader', () => {
  it('text mutations give SLOs or file:line:col findings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(textMutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const text = mutations.reduce(applyTextMutation, example);
        await loadOutcome(text);
      }),
      { numRuns: 1500, seed: 20261122 },
    );
  });

  it('structural mutations (any JSON value at any path) give SLOs or findings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...allPaths), fc.jsonValue({ maxDepth: 2 }), async (path, value) => {
        await loadOutcome(stringify(setIn(parsedExample, path, value)));
      }),
      { numRuns: 1500, seed: 20261122 },
    );
  });

  it('the CLI prints no stack trace for mutated input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shopsre-fuzz-'));
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...allPaths), fc.jsonValue({ maxDepth: 1 }), async (path, value) => {
          await writeFile(join(dir, 'slo.yaml'), stringify(setIn(parsedExample, path, value)));
          const stderr = bufferWriter();
          const io = { stdout: bufferWriter(), stderr, env: {}, cwd: dir, isTTY: false };
          const code = await run(['slo', 'validate', 'slo.yaml'], io);
          expect([0, 2]).toContain(code);
          expect(stderr.text()).not.toMatch(/\n\s+at |internal error/);
        }),
        { numRuns: 200, seed: 7 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
