import * as z from 'zod';

const cache = new WeakMap<z.ZodType, string[]>();

/** Every property name a schema knows, for did-you-mean hints on unknown keys. */
export function schemaVocabulary(schema: z.ZodType): string[] {
  const cached = cache.get(schema);
  if (cached) return cached;
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'properties' && typeof value === 'object' && value !== null) {
        for (const name of Object.keys(value)) names.add(name);
      }
      visit(value);
    }
  };
  visit(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
  const list = [...names];
  cache.set(schema, list);
  return list;
}
