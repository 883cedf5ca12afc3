import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { journalJsonSchemaText, scenarioJsonSchemaText } from '../../src/gameday/json-schema.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const scenarios = readdirSync(new URL('../../scenarios/', import.meta.url)).filter((f) =>
  f.endsWith('.yaml'),
);

function validator(text: string) {
  const ajv = new Ajv2020({ strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(text) as object);
}

describe('the JSON Schemas shipped for scenarios and journals', () => {
  it('match the zod schemas they are generated from (run `npm run schema` after changing them)', () => {
    expect(scenarioJsonSchemaText()).toBe(read('schemas/scenario.schema.json'));
    expect(journalJsonSchemaText()).toBe(read('schemas/journal.schema.json'));
  });

  it.each(scenarios)('accepts the shipped scenario %s, and rejects it with a misspelt key', (file) => {
    const validate = validator(read('schemas/scenario.schema.json'));
    const doc = parse(read(`scenarios/${file}`)) as Record<string, unknown>;
    expect(validate(doc)).toBe(true);
    const { hypothesis, ...rest } = doc;
    expect(validate({ ...rest, hypothesys: hypothesis })).toBe(false);
  });

  it('points editors at the schema from every shipped scenario', () => {
    for (const file of scenarios) {
      expect(read(`scenarios/${file}`).split('\n')[0]).toBe(
        '# yaml-language-server: $schema=../schemas/scenario.schema.json',
      );
    }
  });
});
