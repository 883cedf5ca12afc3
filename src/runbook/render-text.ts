import { formatDuration } from '../core/duration.js';
import type { Runbook, RunbookStep } from './model.js';
import { fillPlaceholders, type PlaceholderValues } from './placeholders.js';

export interface RenderOptions {
  /** ANSI styles; off for NO_COLOR, pipes and files. */
  readonly color: boolean;
  /** Placeholders with a value are shown filled. */
  readonly values?: PlaceholderValues;
}

/** A runbook as a terminal shows it: title, who owns it, each section, each step with its attributes. */
export function renderRunbook(runbook: Runbook, options: RenderOptions): string {
  const style = styles(options.color);
  const fill = (text: string): string => fillPlaceholders(text, options.values ?? {}, false);
  const lines: string[] = [style.bold(runbook.title)];
  if (runbook.summary) lines.push(fill(runbook.summary));
  lines.push(
    style.dim(
      [
        runbook.alerts.length > 0 ? `alerts ${runbook.alerts.join(', ')}` : undefined,
        runbook.faults.length > 0 ? `faults ${runbook.faults.join(', ')}` : undefined,
        `owner ${runbook.owner}`,
        `last verified ${runbook.lastVerified}`,
      ]
        .filter(Boolean)
        .join(' · '),
    ),
  );
  for (const section of runbook.sections) {
    lines.push('', style.heading(section.name.toUpperCase()));
    for (const block of section.blocks) {
      switch (block.kind) {
        case 'paragraph':
          lines.push(fill(block.text));
          break;
        case 'heading':
          lines.push(style.bold(block.text));
          break;
        case 'list':
          block.items.forEach((item, i) =>
            lines.push(`${block.start === undefined ? '•' : `${block.start + i}.`} ${fill(item)}`),
          );
          break;
        case 'code':
          lines.push(...block.text.split('\n').map((line) => `    ${line}`));
          break;
        case 'step': {
          const step = runbook.steps.find((s) => s.name === block.step);
          if (step) lines.push(...renderStep(step, options.values ?? {}, style));
          break;
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `name (readonly, timeout 30s, expects exit 0)`: the attributes a person checks before running it. */
export function describeStep(step: RunbookStep): string {
  const parts = [
    step.effect,
    `timeout ${formatDuration(step.timeoutMs)}`,
    `expects exit ${step.check.exitCode}`,
    ...(step.check.match === undefined ? [] : [`output matching /${step.check.match}/`]),
  ];
  return `${step.name} (${parts.join(', ')})`;
}

function renderStep(step: RunbookStep, values: PlaceholderValues, style: Styles): string[] {
  const marker = step.effect === 'mutating' ? style.warn('▶ [mutating]') : style.accent('▶');
  const command = fillPlaceholders(step.command, values).trimEnd().split('\n');
  return [
    `${marker} ${style.bold(describeStep(step))}`,
    ...command.map((line, i) => `  ${i === 0 ? '$' : ' '} ${line}`),
  ];
}

interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  heading(text: string): string;
  accent(text: string): string;
  warn(text: string): string;
}

function styles(color: boolean): Styles {
  const wrap =
    (open: number, close: number) =>
    (text: string): string =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    heading: (text) => (color ? `\u001b[1;4m${text}\u001b[0m` : text),
    accent: wrap(36, 39),
    warn: wrap(33, 39),
  };
}
