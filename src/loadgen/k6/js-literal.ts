/** A value the k6 script embeds as a literal: plain data, printed in the order it was built. */
export type JsValue = string | number | boolean | readonly JsValue[] | { readonly [key: string]: JsValue };

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Lines up to this width keep a small array or object on one line, as a formatter would. */
const width = 100;

/**
 * Prints `value` as a JavaScript literal. Every string goes through JSON.stringify, so a target URL
 * or segment name cannot break out of its literal; keys are quoted unless they are plain identifiers
 * (`'http_req_failed{segment:vip}'` needs quotes, `executor` does not). Key order is the object's,
 * which callers build deterministically, so the same plan prints the same script.
 */
export function jsLiteral(value: JsValue, indent = '', lead = indent.length): string {
  const flat = inline(value);
  // `lead` is where the value starts on its line; the 1 leaves room for a trailing comma.
  if (lead + flat.length + 1 <= width || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (isArray(value)) {
    return `[\n${value.map((item) => `${inner}${jsLiteral(item, inner)},\n`).join('')}${indent}]`;
  }
  const lines = Object.entries(value).map(([key, item]) => {
    const prefix = `${inner}${jsKey(key)}: `;
    return `${prefix}${jsLiteral(item, inner, prefix.length)},\n`;
  });
  return `{\n${lines.join('')}${indent}}`;
}

function inline(value: JsValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot embed ${value} in a k6 script`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (isArray(value)) return `[${value.map(inline).join(', ')}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([key, item]) => `${jsKey(key)}: ${inline(item)}`).join(', ')} }`;
}

function jsKey(key: string): string {
  return identifier.test(key) ? key : JSON.stringify(key);
}

// Array.isArray does not narrow a readonly array type out of a union.
function isArray(value: JsValue): value is readonly JsValue[] {
  return Array.isArray(value);
}
