import { redactText, secretPlaceholder } from '../core/redact.js';
import type { StepCheck, StepEffect } from './model.js';

/** What happened to a step: one JSON line of `--record`, one entry of a game day's journal. */
export interface StepRecord {
  /** When the step started (or was passed over), UTC, ISO 8601. */
  readonly time: string;
  readonly runbook: string;
  readonly step: string;
  readonly effect: StepEffect;
  /** The command with its placeholders filled, as the engineer saw it. */
  readonly command: string;
  readonly outcome: StepOutcome;
  /** Null when the step did not run to an exit (skipped, stopped, timed out, killed). */
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly check: StepCheck & { readonly passed: boolean | null };
  /** The last lines of stdout and stderr, card numbers and secrets redacted. */
  readonly output: string;
  /** Why a step was skipped or stopped. */
  readonly reason?: string;
}

export type StepOutcome = 'passed' | 'failed' | 'skipped' | 'stopped' | 'timed-out';

const excerptLines = 40;
const excerptChars = 4000;
const secretName = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

/**
 * The tail of a step's output, fit for a record that gets pasted into tickets: card numbers and
 * credentials redacted as in a game day's journal, and the values of secret-named environment
 * variables (`SHOPSRE_VENDOR_PRIMARY_KEY`...) replaced wherever they appear.
 */
export function outputExcerpt(output: string, env: Readonly<Record<string, string | undefined>>): string {
  const lines = output.replace(/\s+$/, '').split('\n');
  let tail = lines.slice(-excerptLines).join('\n');
  if (tail.length > excerptChars) tail = tail.slice(-excerptChars);
  if (lines.length > excerptLines || tail.length < output.trimEnd().length) tail = `…\n${tail}`;
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= 6 && secretName.test(name)) tail = tail.replaceAll(value, secretPlaceholder);
  }
  return redactText(tail);
}

export function formatRecordLine(record: StepRecord): string {
  return `${JSON.stringify(record)}\n`;
}
