import { UsageError } from '../core/errors.js';

export interface NumberRules {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Why the maximum, after "at most N", e.g. "on this machine". */
  readonly maxWhy?: string;
}

/** A numeric flag, checked against its rules; every failure is one UsageError line naming the flag (exit 2). */
export function numberFlag(flag: string, text: string, rules: NumberRules): number;
export function numberFlag(flag: string, text: string | undefined, rules: NumberRules): number | undefined;
export function numberFlag(flag: string, text: string | undefined, rules: NumberRules): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const kind = rules.integer ? 'a whole number' : 'a number';
  const fail = (why: string): never => {
    throw new UsageError(`${flag} "${text}": ${why}`);
  };
  if (text.trim() === '' || !Number.isFinite(value)) return fail(`expected ${kind}`);
  if (rules.integer && !Number.isSafeInteger(value)) return fail(`expected ${kind}`);
  if (rules.min !== undefined && value < rules.min) {
    return fail(
      rules.min === Number.MIN_VALUE ? 'expected a number above 0' : `expected at least ${rules.min}`,
    );
  }
  if (rules.max !== undefined && value > rules.max) {
    return fail(`at most ${rules.max}${rules.maxWhy ? ` ${rules.maxWhy}` : ''}`);
  }
  return value;
}
