import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ShopsreError } from '../../../src/core/errors.js';
import { parseScenario, randomSchedule } from '../../../src/gameday/scenario/load.js';

const dir = new URL('../../../scenarios/', import.meta.url);
const shipped = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

const minimal = `apiVersion: shopsre/v1
kind: GameDay
title: t
description: d
hypothesis: h
phases:
  baseline: 10s
  inject:
    duration: 30s
    faults:
      - { fault: vendor-outage, at: 5s, for: 20s, params: { vendor: backup } }
  recover: { timeout: 30s }
`;

function findings(text: string): string[] {
  try {
    parseScenario('s.yaml', text);
  } catch (error) {
    if (error instanceof ShopsreError) return error.lines();
    throw error;
  }
  return [];
}

describe('scenario files', () => {
  it.each(shipped)('ships %s, which parses with its faults inside the inject phase', (file) => {
    const scenario = parseScenario(file, readFileSync(new URL(file, dir), 'utf8'));
    expect(scenario.name).toBe(file.replace(/\.yaml$/, ''));
    for (const fault of scenario.faults) {
      expect(fault.offsetMs + fault.spec.durationMs).toBeLessThanOrEqual(scenario.phases.injectMs);
    }
    expect(scenario.timeScale).toBe(60);
  });

  it('ships the six scenarios the README documents', () => {
    expect(shipped.sort()).toEqual([
      'both-vendors-down.yaml',
      'cdn-slowness.yaml',
      'db-failover.yaml',
      'flash-sale.yaml',
      'vendor-latency.yaml',
      'vendor-outage.yaml',
    ]);
  });

  it('applies defaults and resolves faults against the catalogue', () => {
    const scenario = parseScenario('outage.yaml', minimal);
    expect(scenario).toMatchObject({
      name: 'outage',
      target: { kind: 'embedded', seed: 1 },
      timeScale: 60,
      seed: 1,
      load: { preset: 'steady', rate: 20 },
      phases: {
        warmupMs: 10_000,
        baselineMs: 10_000,
        injectMs: 30_000,
        recoverTimeoutMs: 30_000,
        recoverHoldMs: 5000,
      },
    });
    expect(scenario.faults).toEqual([
      {
        offsetMs: 5000,
        origin: 'planned',
        spec: {
          fault: 'vendor-outage',
          target: 'vendor-backup',
          params: { vendor: 'backup', mode: 'error', status: 503, rate: 1, firstN: 0 },
          durationMs: 20_000,
        },
      },
    ]);
  });

  it('takes time scale 1 by default for a store of the user’s own', () => {
    const text = minimal.replace(
      'title: t',
      'title: t\ntarget: { storeUrl: "http://127.0.0.1:8080", metricsUrl: "http://127.0.0.1:8080/metrics", chaosUrl: "http://127.0.0.1:8474" }',
    );
    const scenario = parseScenario('s.yaml', text);
    expect(scenario.timeScale).toBe(1);
    expect(scenario.target).toEqual({
      kind: 'external',
      storeUrl: 'http://127.0.0.1:8080',
      metricsUrl: 'http://127.0.0.1:8080/metrics',
      chaosUrl: 'http://127.0.0.1:8474',
    });
  });

  it('asks for the fault proxies’ control URL when a store of the user’s own gets faults', () => {
    const text = minimal.replace(
      'title: t',
      'title: t\ntarget: { storeUrl: "http://127.0.0.1:8080", metricsUrl: "http://127.0.0.1:8080/metrics" }',
    );
    expect(() => parseScenario('s.yaml', text)).toThrow(
      /s\.yaml:4:21: faults on a target of your own go through fault proxies: run `shopsre chaos proxy`.*target\.chaosUrl/,
    );
    // Without faults (load only), no proxies are needed.
    const loadOnly = text.replace(/faults:\n.*\n/, 'faults: []\n');
    expect(loadOnly).not.toBe(text);
    expect(parseScenario('s.yaml', loadOnly).target.kind).toBe('external');
  });

  it.each([
    ['kind: GameDay', 'kind: Gameday', 's.yaml:2:7: Invalid input: expected "GameDay" (at kind)'],
    ['hypothesis: h', 'hypothesys: h', 's.yaml:1:1: missing required key "hypothesis"'],
    [
      'hypothesis: h',
      'hypothesis: h\nhypothesys: h',
      's.yaml:6:1: unknown key "hypothesys" (did you mean "hypothesis"?)',
    ],
    [
      'baseline: 10s',
      'baseline: ten seconds',
      's.yaml:7:13: expected a duration such as 30s, 5m or 1h30m (at phases.baseline)',
    ],
    [
      'fault: vendor-outage',
      'fault: vendor-outrage',
      's.yaml:11:18: Invalid option: expected one of "vendor-outage"|',
    ],
    [
      'for: 20s',
      'for: 40s',
      's.yaml:11:46: vendor-outage runs from 5s for 40s, past the end of the inject phase (30s)',
    ],
    [
      'vendor: backup',
      'vendor: tertiary',
      's.yaml:11:59: params.vendor=tertiary: vendor is one of primary, backup',
    ],
    [
      'vendor: backup',
      'vendr: backup',
      's.yaml:11:59: vendor-outage has no parameter "vendr" (did you mean "vendor"?)',
    ],
    ['  recover: { timeout: 30s }', '  recover: {}', 's.yaml:12:12: missing required key "timeout"'],
  ])('reports %s → %s as file:line:col', (from, to, expected) => {
    const lines = findings(minimal.replace(from, to));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]?.startsWith(expected)).toBe(true);
  });

  it('reports every finding of a file, not only the first', () => {
    const lines = findings(
      minimal.replace('title: t', 'title: 3\nwat: 1').replace('baseline: 10s', 'baseline: 0'),
    );
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });

  it('draws the same random schedule from the same seed, inside the phase, and another from another seed', () => {
    const random: { from: { fault: string; params: Record<string, number> }[]; count: number } = {
      from: [
        { fault: 'vendor-outage', params: {} },
        { fault: 'vendor-latency', params: { latencyMs: 800 } },
        { fault: 'cdn-slowness', params: {} },
      ],
      count: 5,
    };
    const options = { injectMs: 60_000, minMs: 5000, maxMs: 20_000 };
    const a = randomSchedule(random, { ...options, seed: 42 });
    expect(randomSchedule(random, { ...options, seed: 42 })).toEqual(a);
    expect(randomSchedule(random, { ...options, seed: 43 })).not.toEqual(a);
    for (const fault of a) {
      expect(fault.spec.durationMs).toBeGreaterThanOrEqual(5000);
      expect(fault.spec.durationMs).toBeLessThanOrEqual(20_000);
      expect(fault.offsetMs + fault.spec.durationMs).toBeLessThanOrEqual(60_000);
    }
    const text = minimal.replace(
      '    faults:\n      - { fault: vendor-outage, at: 5s, for: 20s, params: { vendor: backup } }',
      '    random:\n      from: [{ fault: vendor-outage }, { fault: cdn-slowness }]\n      count: 3\n      minDuration: 5s\n      maxDuration: 10s\n      seed: 9',
    );
    const scenario = parseScenario('s.yaml', text);
    expect(scenario.faults).toHaveLength(3);
    expect(scenario.faults.every((f) => f.origin === 'random')).toBe(true);
  });
});

describe('scenario fuzz: no crash, no stack, only file:line:col findings', () => {
  const base = parse(readFileSync(new URL('both-vendors-down.yaml', dir), 'utf8')) as Record<string, unknown>;
  const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
    if (Array.isArray(value)) return [prefix, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
    if (typeof value === 'object' && value !== null) {
      return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
    }
    return [prefix];
  };
  const all = paths(base).filter((p) => p.length > 0);
  const set = (root: unknown, path: (string | number)[], value: unknown): unknown => {
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path.at(-1);
    if (last !== undefined) node[last] = value;
    return copy;
  };

  it('survives any value at any path, and any text mutation', () => {
    fc.assert(
      fc.property(
        fc.nat(all.length - 1),
        fc.jsonValue({ maxDepth: 2 }),
        fc.nat(400),
        fc.string({ maxLength: 5 }),
        (which, value, at, insert) => {
          const mutated = stringify(set(base, all[which] ?? [], value));
          const text = mutated.slice(0, at) + insert + mutated.slice(at);
          for (const candidate of [mutated, text]) {
            for (const line of findings(candidate)) {
              expect(line).toMatch(/^s\.yaml:\d+:\d+: \S/);
              expect(line).not.toMatch(/\n\s+at /);
            }
          }
        },
      ),
      { numRuns: 300, seed: 20261207 },
    );
  });
});
