import * as z from 'zod';
import { journalSchema } from './journal.js';
import { scenarioDocumentSchema } from './scenario/schema.js';

/** JSON Schemas for editors and for readers of journals; generated from the zod schemas, never edited. */
function jsonSchemaOf(schema: z.ZodType, id: string, title: string, io: 'input' | 'output'): string {
  const generated = {
    ...z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }),
    $id: `https://shopsre.dev/schemas/${id}`,
    title,
  };
  return `${JSON.stringify(generated, null, 2)}\n`;
}

export function scenarioJsonSchemaText(): string {
  return jsonSchemaOf(
    scenarioDocumentSchema,
    'scenario.schema.json',
    'shopsre game day scenario (kind GameDay)',
    'input',
  );
}

export function journalJsonSchemaText(): string {
  return jsonSchemaOf(
    journalSchema,
    'journal.schema.json',
    'shopsre game day journal (kind GameDayJournal)',
    'output',
  );
}
