import { closestWord } from '../core/did-you-mean.js';
import { parseDuration } from '../core/duration.js';
import type { StepCheck, StepEffect } from './model.js';

/**
 * The attributes of a step, written in the info string of its fenced block after the language:
 *
 *     ```sh {name=readiness readonly timeout=10s exit=0 match='"ready":true'}
 *
 * A brace-delimited list of `key=value` pairs and bare flags, separated by spaces; a value with
 * spaces is quoted, `'...'` or `"..."`, as is (CommonMark already takes backslash escapes out of an
 * info string, so a value holding `"` is single-quoted). Simpler than Runme's JSON attributes, and
 * still one line a person can read in any Markdown viewer. A fenced block without braces is not a
 * step.
 */
export interface StepAttributes {
  readonly name: string;
  readonly effect: StepEffect;
  readonly check: StepCheck;
  readonly timeoutMs: number;
}

export interface AttributeProblem {
  /** 0-based offset of the problem in the attribute text. */
  readonly offset: number;
  readonly message: string;
}

export const defaultStepTimeoutMs = 30_000;
const maxStepTimeoutMs = 10 * 60_000;
const attributeKeys = ['name', 'readonly', 'mutating', 'timeout', 'exit', 'match'] as const;
const flagKeys = new Set(['readonly', 'mutating']);
const stepName = /^[a-z0-9][a-z0-9-]*$/;

interface Token {
  readonly key: string;
  readonly value?: string;
  readonly offset: number;
}

/** Whether a fenced block's meta is meant as step attributes at all. */
export function isStepMeta(meta: string | null | undefined): meta is string {
  return meta !== null && meta !== undefined && meta.trimStart().startsWith('{');
}

/** Parses `{...}` into attributes, or every problem found (each at its offset in `meta`). */
export function parseStepAttributes(
  meta: string,
): { ok: true; attributes: StepAttributes } | { ok: false; problems: AttributeProblem[] } {
  const problems: AttributeProblem[] = [];
  const open = meta.indexOf('{');
  const close = meta.lastIndexOf('}');
  if (close < open) {
    return { ok: false, problems: [{ offset: meta.length, message: 'step attributes: missing "}"' }] };
  }
  const tokens = tokenize(meta.slice(open + 1, close), open + 1, problems);
  const seen = new Map<string, Token>();
  for (const token of tokens) {
    if (!(attributeKeys as readonly string[]).includes(token.key)) {
      const hint = closestWord(token.key, attributeKeys);
      problems.push({
        offset: token.offset,
        message: `unknown step attribute "${token.key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${attributeKeys.join(', ')}`,
      });
      continue;
    }
    if (seen.has(token.key)) problems.push({ offset: token.offset, message: `"${token.key}" given twice` });
    if (flagKeys.has(token.key) && token.value !== undefined) {
      problems.push({ offset: token.offset, message: `"${token.key}" is a flag and takes no value` });
    }
    if (!flagKeys.has(token.key) && token.value === undefined) {
      problems.push({ offset: token.offset, message: `"${token.key}" needs a value (${token.key}=...)` });
    }
    seen.set(token.key, token);
  }
  const name = seen.get('name')?.value;
  if (!seen.has('name')) problems.push({ offset: open, message: 'a step needs a name (name=...)' });
  else if (name !== undefined && !stepName.test(name)) {
    problems.push({
      offset: seen.get('name')?.offset ?? open,
      message: `step name "${name}": expected lowercase letters, digits and "-"`,
    });
  }
  const readonly = seen.has('readonly');
  const mutating = seen.has('mutating');
  if (readonly === mutating) {
    problems.push({
      offset: open,
      message: readonly
        ? 'a step is either readonly or mutating, not both'
        : 'say whether the step is readonly or mutating',
    });
  }
  const timeoutMs = durationAttribute(seen.get('timeout'), problems);
  const exitCode = exitAttribute(seen.get('exit'), problems);
  const match = seen.get('match');
  if (match?.value !== undefined) {
    try {
      new RegExp(match.value, 'm');
    } catch (error) {
      problems.push({ offset: match.offset, message: `match: ${(error as Error).message}` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    attributes: {
      name: name ?? '',
      effect: readonly ? 'readonly' : 'mutating',
      check: { exitCode, ...(match?.value === undefined ? {} : { match: match.value }) },
      timeoutMs,
    },
  };
}

function durationAttribute(token: Token | undefined, problems: AttributeProblem[]): number {
  if (token?.value === undefined) return defaultStepTimeoutMs;
  const ms = parseDuration(token.value);
  if (ms === undefined || ms > maxStepTimeoutMs) {
    problems.push({
      offset: token.offset,
      message: `timeout "${token.value}": expected a duration up to 10m, such as 20s`,
    });
    return defaultStepTimeoutMs;
  }
  return ms;
}

function exitAttribute(token: Token | undefined, problems: AttributeProblem[]): number {
  if (token?.value === undefined) return 0;
  const code = Number(token.value);
  if (!/^\d+$/.test(token.value) || code > 255) {
    problems.push({ offset: token.offset, message: `exit "${token.value}": expected an exit code 0 to 255` });
    return 0;
  }
  return code;
}

/** Splits `key=value key="quoted value" flag` into tokens with their offsets in the whole meta. */
function tokenize(text: string, base: number, problems: AttributeProblem[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t';
  while (i < text.length) {
    while (isSpace(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let key = '';
    while (i < text.length && !isSpace(text[i]) && text[i] !== '=') key += text[i++];
    if (text[i] !== '=') {
      tokens.push({ key, offset: base + start });
      continue;
    }
    i++;
    let value = '';
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      const close = text.indexOf(quote, i + 1);
      if (close === -1) problems.push({ offset: base + start, message: `${key}: missing closing quote` });
      value = text.slice(i + 1, close === -1 ? text.length : close);
      i = close === -1 ? text.length : close + 1;
    } else {
      while (i < text.length && !isSpace(text[i])) value += text[i++];
    }
    tokens.push({ key, value, offset: base + start });
  }
  return tokens;
}
