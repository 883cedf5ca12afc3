import * as z from 'zod';
import { shopsreDocumentSchema } from './schema.js';

/** The JSON Schema editors use (yaml-language-server); generated, never edited by hand. */
function sloJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(shopsreDocumentSchema, {
      io: 'input',
      unrepresentable: 'any',
      target: 'draft-2020-12',
    }),
    $id: 'https://shopsre.dev/schemas/slo.schema.json',
    title: 'shopsre SLO file (apiVersion shopsre/v1)',
  };
}

export function sloJsonSchemaText(): string {
  return `${JSON.stringify(sloJsonSchema(), null, 2)}\n`;
}
