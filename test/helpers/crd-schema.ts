import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { crdSchemaPath } from './fixture-files.js';

/**
 * Validates generated Kubernetes objects against the CRD schemas in schemas/crds
 * (`prometheus-operator/PrometheusRule.json`, `k6-operator/TestRun.json`, `chaos-mesh/*.json`).
 * Draft-04 because Chaos Mesh uses its boolean `exclusiveMinimum`; `strict: false` because of the
 * `x-kubernetes-*` keywords; Go's inline `(?i)` becomes JavaScript's `i` flag (schemas/crds/README.md).
 */
type CrdSchemaFile = `${'prometheus-operator' | 'k6-operator' | 'chaos-mesh'}/${string}.json`;

interface JsonSchema {
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

// CommonJS packages: under NodeNext their class and plugin are the `.default` of the import.
const Ajv = AjvDraft04.default;
const addFormats = addFormatsModule.default;

const goRegExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.includes('(?i)')
      ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`)
      : new RegExp(pattern, flags),
  { code: 'goRegExp' },
);

function loadCrdSchema(file: CrdSchemaFile): JsonSchema {
  return JSON.parse(readFileSync(crdSchemaPath(file), 'utf8')) as JsonSchema;
}

/** Schema violations as `path: message` lines; empty when the object is valid. */
export function crdSchemaErrors(file: CrdSchemaFile, object: unknown): string[] {
  const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: goRegExp } });
  addFormats(ajv);
  const validate = ajv.compile(loadCrdSchema(file));
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}

/**
 * Fields the schema does not declare. The CRD schemas accept unknown fields (the API server
 * prunes them), so a misspelled field would pass schema validation; this finds it.
 */
export function undeclaredFields(file: CrdSchemaFile, object: unknown): string[] {
  const found: string[] = [];
  const walk = (schema: JsonSchema, value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      if (schema.items) value.forEach((item, i) => walk(schema.items as JsonSchema, item, `${path}/${i}`));
      return;
    }
    if (typeof value !== 'object' || value === null || !schema.properties) return;
    if (schema.additionalProperties !== undefined || schema['x-kubernetes-preserve-unknown-fields']) return;
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties[key];
      if (childSchema) walk(childSchema, child, `${path}/${key}`);
      else found.push(`${path}/${key}`);
    }
  };
  walk(loadCrdSchema(file), object, '');
  return found;
}
