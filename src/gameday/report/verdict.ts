import type { VerdictOutcome } from '../journal.js';

const words: Readonly<Record<VerdictOutcome, string>> = {
  held: '✅ hypothesis held',
  refuted: '❌ hypothesis refuted',
  interrupted: '⚠️ interrupted before the hypothesis could be judged',
  error: '💥 the run failed before the hypothesis could be judged',
};

export function verdictText(outcome: VerdictOutcome): string {
  return words[outcome];
}
