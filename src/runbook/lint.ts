import type { Finding, SourceLocation } from '../core/errors.js';
import type { GeneratedAlert } from './slo-alerts.js';
import { runbookForAlert, runbookForFault } from './lookup.js';
import type { Runbook, RunbookStep } from './model.js';
import {
  fillPlaceholders,
  isPlaceholderName,
  placeholderNames,
  placeholderUses,
  type PlaceholderValues,
} from './placeholders.js';
import { closestWord } from '../core/did-you-mean.js';
import { argumentsOf, simpleCommands } from './shell-words.js';

export interface LintInput {
  readonly runbooks: readonly Runbook[];
  /** Findings from reading the runbooks (front matter, sections, step attributes). */
  readonly findings: readonly Finding[];
  readonly alerts: readonly GeneratedAlert[];
  readonly faults: readonly string[];
  /** The runbooks folder as shown in messages. */
  readonly dir: string;
  /** Parses a shopsre argv against the real command tree without running it: an error message or undefined. */
  readonly parseShopsre: (argv: readonly string[]) => string | undefined;
}

/** Values that stand in for placeholders when a command is parsed: any well-formed value will do. */
const sampleValues: Required<PlaceholderValues> = {
  SEGMENT: 'guest',
  SLO: 'checkout-availability',
  SERVICE: 'store',
  STORE_URL: 'http://127.0.0.1:8080',
  PROMETHEUS_URL: 'http://127.0.0.1:9090',
  SLO_FILE: 'slos.yaml',
};

/**
 * What `runbook lint` checks, each finding at file:line:col: every generated alert and every fault
 * of the catalogue has a runbook; every placeholder is known; every `shopsre` command of a step
 * parses against the real CLI. Front matter and step attributes come in as `findings`.
 */
export function lintRunbooks(input: LintInput): Finding[] {
  const findings: Finding[] = [...input.findings];
  for (const alert of input.alerts) {
    if (runbookForAlert(input.runbooks, alert.name)) continue;
    findings.push({
      location: alert.location,
      message: `alert "${alert.name}" (SLO ${alert.slo}) has no runbook: list it under "alerts" in a runbook of ${input.dir}`,
    });
  }
  for (const fault of input.faults) {
    if (runbookForFault(input.runbooks, fault)) continue;
    findings.push({
      location: { file: input.dir, line: 1, col: 1 },
      message: `fault "${fault}" of the chaos catalogue has no runbook: list it under "faults" in a runbook`,
    });
  }
  for (const runbook of input.runbooks) {
    for (const step of runbook.steps) findings.push(...lintStep(step, input.parseShopsre));
  }
  return findings;
}

function lintStep(step: RunbookStep, parseShopsre: LintInput['parseShopsre']): Finding[] {
  const findings: Finding[] = [];
  for (const use of placeholderUses(step.command)) {
    if (isPlaceholderName(use.name)) continue;
    const hint = closestWord(use.name, placeholderNames);
    findings.push({
      location: locationInStep(step, use.offset),
      message: `unknown placeholder $${use.name}${hint ? ` (did you mean $${hint}?)` : ''} in step "${step.name}"; known: ${placeholderNames.map((n) => `$${n}`).join(', ')}`,
    });
  }
  for (const command of simpleCommands(step.command)) {
    const args = argumentsOf(command, 'shopsre');
    if (!args) continue;
    const problem = parseShopsre(args.map((word) => fillPlaceholders(word, sampleValues)));
    if (problem === undefined) continue;
    findings.push({
      location: locationInStep(step, command.offset),
      message: `step "${step.name}": shopsre ${args.join(' ')}: ${problem}`,
    });
  }
  return findings;
}

/** The command's text starts on the line after the opening fence. */
function locationInStep(step: RunbookStep, offset: number): SourceLocation {
  const before = step.command.slice(0, offset);
  const line = before.split('\n').length - 1;
  const col = offset - (before.lastIndexOf('\n') + 1);
  return {
    file: step.location.file,
    line: step.location.line + 1 + line,
    col: step.location.col + col,
  };
}
