import type { SourceLocation } from '../core/errors.js';
import type { FaultName } from '../chaos/catalogue.js';

/**
 * The runbook domain model: what `parseRunbook` returns from a `runbooks/*.md` file once its front
 * matter and steps are valid. Commands, the step runner and the game day only ever see these types.
 */

/** The sections every runbook has, in this order (prometheus-operator's runbooks, plus Escalation). */
export const sectionNames = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Escalation'] as const;
export type SectionName = (typeof sectionNames)[number];

/** A read-only step only looks; a mutating step changes something and always needs a person's yes. */
export type StepEffect = 'readonly' | 'mutating';

/** What a step's run must show to pass: its exit code and, when given, a pattern its output matches. */
export interface StepCheck {
  readonly exitCode: number;
  readonly match?: string;
}

export interface RunbookStep {
  readonly name: string;
  readonly effect: StepEffect;
  readonly check: StepCheck;
  readonly timeoutMs: number;
  /** The shell command as written, placeholders unfilled. */
  readonly command: string;
  readonly section: SectionName;
  /** Where the fenced block starts, for lint findings. */
  readonly location: SourceLocation;
}

/** A block of prose, flattened to plain text for the terminal (paragraph, list item, quote). */
export type ProseBlock =
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'list'; readonly start?: number; readonly items: readonly string[] }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'step'; readonly step: string };

export interface RunbookSection {
  readonly name: SectionName;
  readonly blocks: readonly ProseBlock[];
}

export interface Runbook {
  /** The file name without `.md`: what `runbook show NAME` and `runbook_url` use. */
  readonly name: string;
  readonly file: string;
  readonly title: string;
  /** The first paragraph under the title: what the runbook is for, in one breath. */
  readonly summary: string;
  readonly alerts: readonly string[];
  readonly faults: readonly FaultName[];
  readonly owner: string;
  readonly escalation: string;
  /** `YYYY-MM-DD`, as written. */
  readonly lastVerified: string;
  readonly sections: readonly RunbookSection[];
  readonly steps: readonly RunbookStep[];
}
