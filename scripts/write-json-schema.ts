// Regenerates schemas/slo.schema.json from the zod schema; a test holds the committed copy to it.
import { mkdir, writeFile } from 'node:fs/promises';
import { sloJsonSchemaText } from '../src/slo/json-schema.js';

await mkdir(new URL('../schemas/', import.meta.url), { recursive: true });
await writeFile(new URL('../schemas/slo.schema.json', import.meta.url), sloJsonSchemaText());
console.log('wrote schemas/slo.schema.json');
