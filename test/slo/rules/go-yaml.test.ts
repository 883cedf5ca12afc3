import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareGoYamlKeys } from '../../../src/slo/rules/go-yaml-keys.js';
import { emitGoYaml, type YamlNode } from '../../../src/slo/rules/go-yaml.js';

const emitValue = (value: YamlNode): string => emitGoYaml(new Map([['key', value]]));

describe('emitGoYaml writes scalars in the style Go yaml.v2 picks', () => {
  it.each([
    ['plain text', 'slo:sli_error:ratio_rate5m', 'key: slo:sli_error:ratio_rate5m\n'],
    ['a number-like string, double-quoted so it stays a string', '99.9', 'key: "99.9"\n'],
    ['an integer-like string', '2', 'key: "2"\n'],
    ['a YAML 1.1 boolean word', 'yes', 'key: "yes"\n'],
    ['a one-letter YAML 1.1 boolean', 'n', 'key: "n"\n'],
    ['a date', '2026-04-04', 'key: "2026-04-04"\n'],
    ['the empty string', '', 'key: ""\n'],
    [
      'text starting with a flow indicator, single-quoted',
      '{{$labels.x}} burns',
      "key: '{{$labels.x}} burns'\n",
    ],
    ['a comment sign after a space', 'a #b', "key: 'a #b'\n"],
    ['a single quote inside single quotes, doubled', "#it's", "key: '#it''s'\n"],
    ['a tab, double-quoted with an escape', 'a\tb', 'key: "a\\tb"\n'],
    ['text ending in a newline, literal block', 'a\nb\n', 'key: |\n  a\n  b\n'],
    ['multi-line text without a final newline, |-', 'a\nb', 'key: |-\n  a\n  b\n'],
    ['text ending in two newlines, |+', 'a\n\n', 'key: |+\n  a\n\n'],
    ['a block starting with a space, with an indentation hint', ' a\nb\n', 'key: |2\n   a\n  b\n'],
    ['a line with trailing spaces, double-quoted', 'a \nb', 'key: "a \\nb"\n'],
  ])('%s', (_what, value, text) => {
    expect(emitValue(value)).toBe(text);
  });

  it('folds a long plain scalar at the first space past column 80, continuing two spaces deeper', () => {
    const expr =
      '1 - slo:period_burn_rate:ratio{sloth_id="svc01-slo1", sloth_service="svc01", sloth_slo="slo1"}';
    const text = emitGoYaml(new Map([['rules', [new Map([['expr', expr]])]]]));
    expect(text).toBe(
      'rules:\n- expr: 1 - slo:period_burn_rate:ratio{sloth_id="svc01-slo1", sloth_service="svc01",\n    sloth_slo="slo1"}\n',
    );
  });

  it('never folds a map key', () => {
    const key = `k${'x'.repeat(100)} y`;
    expect(emitGoYaml(new Map([[key, 'v']]))).toBe(`${key}: v\n`);
  });

  it('writes sequences under a key without indenting them, and empty collections in flow style', () => {
    const doc = new Map<string, YamlNode>([
      [
        'groups',
        [
          new Map<string, YamlNode>([
            ['name', 'a'],
            ['rules', []],
            ['labels', new Map()],
          ]),
        ],
      ],
      ['count', 1],
    ]);
    expect(emitGoYaml(doc)).toBe('groups:\n- name: a\n  rules: []\n  labels: {}\ncount: 1\n');
  });
});

// The `yaml` package's YAML 1.1 schema reads `.` as a float where Go reads a string, so the
// oracle is its default YAML 1.2 core schema; YAML 1.1 words are covered by the table above.
describe('any string survives the round trip through a YAML parser', () => {
  const text = fc.string({
    unit: fc.constantFrom(
      'a',
      'b',
      ' ',
      '\n',
      '\t',
      ':',
      '#',
      "'",
      '"',
      '\\',
      '-',
      '{',
      '9',
      '.',
      'é',
      '\u2028',
      '😀',
    ),
  });
  it('as a value, at any length (folding included)', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 4 }), (parts) => {
        const value = parts.join('x'.repeat(30));
        expect(parse(emitValue(value))).toEqual({ key: value });
      }),
      { numRuns: 500 },
    );
  });

  it('as a key', () => {
    fc.assert(
      fc.property(text, (key) => {
        expect(parse(emitGoYaml(new Map([[key, 'v']])))).toEqual({ [key]: 'v' });
      }),
      { numRuns: 300 },
    );
  });
});

describe('compareGoYamlKeys orders keys as yaml.v2 sorts a Go map', () => {
  it('compares digit runs as numbers and puts non-letters before letters', () => {
    const keys = ['b', 'a10', 'Z', '_x', 'a2', 'sloth_id', 'sloth_service', 'A'];
    expect([...keys].sort(compareGoYamlKeys)).toEqual([
      '_x',
      'A',
      'Z',
      'a2',
      'a10',
      'b',
      'sloth_id',
      'sloth_service',
    ]);
  });
});
