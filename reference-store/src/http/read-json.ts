import type { Context } from 'hono';
import type * as z from 'zod';
import { Problem } from './problem.js';

/** Bodies larger than this are refused before parsing (413). */
export const maxBodyBytes = 16 * 1024;

/** Reads and validates a JSON body: every failure is a 4xx problem, never a 500. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new Problem(415, 'unsupported-media-type', 'send the body as application/json');
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBodyBytes) throw tooLarge();
  const raw = await c.req.arrayBuffer();
  if (raw.byteLength > maxBodyBytes) throw tooLarge();
  const text = new TextDecoder().decode(raw);
  // A card number has 13 to 19 digits (ISO/IEC 7812). Refused before parsing, so it is never stored
  // or logged; the client should send the vendor's token instead.
  if (/\d[\d -]{11,22}\d/.test(text) && /(?:\d[ -]?){13,19}/.test(text)) {
    throw new Problem(
      400,
      'card-data-rejected',
      'card numbers are not accepted: send a payment token (tok_...)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Problem(400, 'malformed-json', 'the body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || '(body)',
      message: issue.message,
    }));
    throw new Problem(400, 'invalid-body', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
      errors,
    });
  }
  return parsed.data;
}

function tooLarge(): Problem {
  return new Problem(413, 'body-too-large', `bodies are limited to ${maxBodyBytes} bytes`);
}
