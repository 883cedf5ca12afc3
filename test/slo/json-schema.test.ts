import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { sloJsonSchemaText } from '../../src/slo/json-schema.js';

const committed = readFileSync(new URL('../../schemas/slo.schema.json', import.meta.url), 'utf8');

describe('the JSON Schema shipped for editors', () => {
  it('matches the zod schema it is generated from (run `npm run schema` after changing src/slo/schema.ts)', () => {
    expect(sloJsonSchemaText()).toBe(committed);
  });

  it('accepts the example SLO file and rejects a typo in a key', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(committed) as object);
    const example = parse(
      readFileSync(new URL('../../examples/checkout.slo.yaml', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, segmnts: {} })).toBe(false);
  });
});
