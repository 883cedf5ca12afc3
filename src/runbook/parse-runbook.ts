import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { frontmatter } from 'micromark-extension-frontmatter';
import { closestWord } from '../core/did-you-mean.js';
import { InputError, type Finding, type SourceLocation } from '../core/errors.js';
import { parseSingleYamlDocument, zodIssuesToFindings } from '../core/yaml-source.js';
import { schemaVocabulary } from '../slo/schema-vocabulary.js';
import { runbookFrontMatterSchema, type RunbookFrontMatter } from './front-matter.js';
import { blockText, type MarkdownNode } from './markdown-text.js';
import {
  sectionNames,
  type ProseBlock,
  type Runbook,
  type RunbookSection,
  type RunbookStep,
  type SectionName,
} from './model.js';
import { isStepMeta, parseStepAttributes } from './step-attributes.js';

/** Languages a step may be written in: it runs with /bin/sh. */
const shellLanguages = new Set(['sh', 'shell', 'bash', 'console']);

interface Positioned {
  readonly position?: {
    readonly start: { readonly line: number; readonly column: number; readonly offset?: number };
  };
}

type Root = ReturnType<typeof fromMarkdown>;
type RootNode = Root['children'][number];

export interface ParsedRunbook {
  /** Undefined when a finding makes the runbook unusable (bad front matter, a broken step). */
  readonly runbook?: Runbook;
  readonly findings: readonly Finding[];
}

/**
 * Reads one runbook: Markdown parsed with micromark into mdast (never regular expressions over the
 * text), YAML front matter validated with zod, sections by their `##` headings, steps from fenced
 * blocks with attributes. Every finding of the file is returned, each with its file:line:col.
 */
export function parseRunbook(file: string, name: string, text: string): ParsedRunbook {
  const tree = fromMarkdown(text, {
    extensions: [frontmatter(['yaml'])],
    mdastExtensions: [frontmatterFromMarkdown(['yaml'])],
  });
  const findings: Finding[] = [];
  const at = (node: Positioned | undefined, colOffset = 0): SourceLocation => ({
    file,
    line: node?.position?.start.line ?? 1,
    col: (node?.position?.start.column ?? 1) + colOffset,
  });

  const [first, ...rest] = tree.children;
  let meta: RunbookFrontMatter | undefined;
  if (first?.type === 'yaml') meta = readFrontMatter(file, first.value, at(first).line, findings);
  else {
    findings.push({
      location: { file, line: 1, col: 1 },
      message:
        'a runbook starts with YAML front matter between "---" lines (apiVersion, kind, alerts, faults, owner, escalation, lastVerified)',
    });
  }

  let title: string | undefined;
  let summary = '';
  const sections: { name: SectionName; blocks: ProseBlock[] }[] = [];
  const steps: RunbookStep[] = [];
  let current: { name: SectionName; blocks: ProseBlock[] } | undefined;
  let skipping = false;
  for (const node of first?.type === 'yaml' ? rest : tree.children) {
    if (node.type === 'heading' && node.depth === 1) {
      if (title === undefined) title = blockText(node);
      else findings.push({ location: at(node), message: 'a runbook has one "#" title' });
      continue;
    }
    if (node.type === 'heading' && node.depth === 2) {
      const heading = blockText(node);
      const section = sectionNames.find((s) => s.toLowerCase() === heading.toLowerCase());
      if (!section) {
        const hint = closestWord(heading, sectionNames);
        findings.push({
          location: at(node),
          message: `unknown section "${heading}"${hint ? ` (did you mean "${hint}"?)` : ''}; sections: ${sectionNames.join(', ')}`,
        });
        skipping = true;
        continue;
      }
      if (sections.some((s) => s.name === section)) {
        findings.push({ location: at(node), message: `section "${section}" appears twice` });
      }
      skipping = false;
      current = { name: section, blocks: [] };
      sections.push(current);
      continue;
    }
    if (node.type === 'code' && isStepMeta(node.meta)) {
      const step = readStep(node, text, current?.name, at, findings);
      if (step && !skipping && current) {
        if (steps.some((s) => s.name === step.name)) {
          findings.push({ location: step.location, message: `step name "${step.name}" is used twice` });
        }
        steps.push(step);
        current.blocks.push({ kind: 'step', step: step.name });
      }
      continue;
    }
    const block = proseBlock(node);
    if (!block) continue;
    if (current && !skipping) current.blocks.push(block);
    else if (!current && block.kind === 'paragraph' && summary === '') summary = block.text;
  }

  if (title === undefined) {
    findings.push({ location: { file, line: 1, col: 1 }, message: 'a runbook needs a "#" title' });
  }
  const missing = sectionNames.filter((s) => !sections.some((section) => section.name === s));
  if (missing.length > 0) {
    findings.push({
      location: { file, line: 1, col: 1 },
      message: `missing section${missing.length > 1 ? 's' : ''} ${missing.map((s) => `"## ${s}"`).join(', ')}`,
    });
  }
  findings.sort((a, b) => a.location.line - b.location.line || a.location.col - b.location.col);
  if (!meta || title === undefined || findings.length > 0) return { findings };
  const ordered: RunbookSection[] = sectionNames.flatMap((s) => sections.filter((x) => x.name === s));
  return {
    findings,
    runbook: {
      name,
      file,
      title,
      summary,
      alerts: meta.alerts,
      faults: meta.faults,
      owner: meta.owner,
      escalation: meta.escalation,
      lastVerified: meta.lastVerified,
      sections: ordered,
      steps,
    },
  };
}

/** Front matter findings carry the file's own line numbers: its YAML starts on the line after "---". */
function readFrontMatter(
  file: string,
  yaml: string,
  fenceLine: number,
  findings: Finding[],
): RunbookFrontMatter | undefined {
  const shift = (finding: Finding): Finding => ({
    ...finding,
    location: { ...finding.location, file, line: finding.location.line + fenceLine },
  });
  try {
    const doc = parseSingleYamlDocument(file, yaml, 'front matter');
    const parsed = runbookFrontMatterSchema.safeParse(doc.value);
    if (parsed.success) return parsed.data;
    findings.push(
      ...zodIssuesToFindings(doc, parsed.error.issues, schemaVocabulary(runbookFrontMatterSchema)).map(shift),
    );
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    findings.push(...error.findings.map(shift));
  }
  return undefined;
}

function readStep(
  node: Extract<RootNode, { type: 'code' }>,
  text: string,
  section: SectionName | undefined,
  at: (node: Positioned | undefined, colOffset?: number) => SourceLocation,
  findings: Finding[],
): RunbookStep | undefined {
  const meta = node.meta ?? '';
  const start = node.position?.start.offset ?? 0;
  const fenceEnd = text.indexOf('\n', start);
  const fenceLine = text.slice(start, fenceEnd === -1 ? undefined : fenceEnd);
  const metaColumn = Math.max(0, fenceLine.indexOf(meta));
  const parsed = parseStepAttributes(meta);
  if (!parsed.ok) {
    for (const problem of parsed.problems) {
      findings.push({ location: at(node, metaColumn + problem.offset), message: problem.message });
    }
    return undefined;
  }
  if (!section) {
    findings.push({
      location: at(node),
      message: `step "${parsed.attributes.name}" is outside the sections: put it under "## Diagnosis" or "## Mitigation"`,
    });
    return undefined;
  }
  if (!shellLanguages.has(node.lang ?? '')) {
    findings.push({
      location: at(node, 3),
      message: `step "${parsed.attributes.name}" is written in "${node.lang ?? ''}": steps run with /bin/sh (use sh)`,
    });
    return undefined;
  }
  if (node.value.trim() === '') {
    findings.push({ location: at(node), message: `step "${parsed.attributes.name}" has no command` });
    return undefined;
  }
  return { ...parsed.attributes, command: node.value, section, location: at(node) };
}

function proseBlock(node: RootNode): ProseBlock | undefined {
  switch (node.type) {
    case 'paragraph':
    case 'blockquote':
      return { kind: 'paragraph', text: blockText(node) };
    case 'heading':
      return { kind: 'heading', text: blockText(node) };
    case 'list':
      return {
        kind: 'list',
        ...(node.ordered ? { start: node.start ?? 1 } : {}),
        items: node.children.map((item) => blockText(item as MarkdownNode)),
      };
    case 'code':
      return { kind: 'code', text: node.value };
    default:
      return undefined;
  }
}
