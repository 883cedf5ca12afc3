// Regenerates the JSON Schemas in schemas/ from the zod schemas; a test holds each committed copy to it.
import { mkdir, writeFile } from 'node:fs/promises';
import { journalJsonSchemaText, scenarioJsonSchemaText } from '../src/gameday/json-schema.js';
import { sloJsonSchemaText } from '../src/slo/json-schema.js';

await mkdir(new URL('../schemas/', import.meta.url), { recursive: true });
for (const [file, text] of [
  ['slo.schema.json', sloJsonSchemaText()],
  ['scenario.schema.json', scenarioJsonSchemaText()],
  ['journal.schema.json', journalJsonSchemaText()],
] as const) {
  await writeFile(new URL(`../schemas/${file}`, import.meta.url), text);
  console.log(`wrote schemas/${file}`);
}
