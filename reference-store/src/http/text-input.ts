import * as z from 'zod';
import { Problem } from './problem.js';

/**
 * C0 and C1 control characters (NUL among them, which PostgreSQL cannot store in text) and lone
 * surrogates (which reach the database as U+FFFD, another string than the one sent). No id, search
 * term or token of the store holds one, so they are refused at the edge, before any query.
 */
export function isCleanText(text: string): boolean {
  return !controlCharacter.test(text) && !loneSurrogate.test(text);
}

// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
// Without the u flag a regular expression sees UTF-16 code units, so a half pair can be matched.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const cleanTextMessage = 'must not contain control characters or unpaired surrogates';

/** A zod string refused unless clean, for request bodies. */
export function cleanString(): z.ZodString {
  return z.string().refine(isCleanText, cleanTextMessage);
}

/** A path parameter such as a product or order id: 400 `invalid-path` unless clean. */
export function pathParam(value: string, name: string): string {
  if (!isCleanText(value)) throw new Problem(400, 'invalid-path', `${name} ${cleanTextMessage}`);
  return value;
}
