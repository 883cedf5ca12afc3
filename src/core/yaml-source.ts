import { isMap, isNode, isScalar, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { InputError, type Finding, type SourceLocation } from './errors.js';
import { closestWord } from './did-you-mean.js';

/** One YAML document of a file, with a way back from a value path to its line and column. */
export interface YamlDocument {
  readonly file: string;
  /** 0-based position among the documents of the file. */
  readonly index: number;
  readonly value: unknown;
  /** Location of the node at `path`, or of its nearest existing parent. */
  locate(path: readonly PropertyKey[]): SourceLocation;
  /** Location of the key `key` in the map at `path` (for unknown-key findings). */
  locateKey(path: readonly PropertyKey[], key: string): SourceLocation;
}

/** Parses every document in a YAML file; syntax errors become findings (all of them, not the first). */
export function parseYamlFile(file: string, text: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, col: pos.col };
  };
  const list = Array.isArray(docs) ? docs : [];
  const findings: Finding[] = [];
  for (const doc of list) {
    for (const error of doc.errors) {
      findings.push({ location: at(error.pos[0]), message: firstLine(error.message) });
    }
  }
  if (findings.length > 0) throw new InputError(findings);
  const nonEmpty = list.filter((doc) => doc.contents !== null);
  if (nonEmpty.length === 0) {
    throw new InputError([{ location: { file, line: 1, col: 1 }, message: 'file is empty: expected a YAML document' }]);
  }
  return nonEmpty.map((doc, index) => toYamlDocument(file, index, doc, at));
}

function toYamlDocument(
  file: string,
  index: number,
  doc: Document.Parsed,
  at: (offset: number) => SourceLocation,
): YamlDocument {
  const nodeAt = (path: readonly PropertyKey[]): Node | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node)) return node;
    }
    return undefined;
  };
  const locationOf = (node: Node | undefined): SourceLocation => at(node?.range?.[0] ?? 0);
  return {
    file,
    index,
    value: doc.toJS({ maxAliasCount: 100 }) as unknown,
    locate: (path) => locationOf(nodeAt(path)),
    locateKey: (path, key) => {
      const parent = nodeAt(path);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
        if (pair && isNode(pair.key)) return locationOf(pair.key);
      }
      return locationOf(parent);
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

/**
 * Turns zod issues into findings located in the YAML source. `vocabulary` holds the keys the schema
 * knows, for did-you-mean hints on unknown keys.
 */
export function zodIssuesToFindings(
  doc: YamlDocument,
  issues: readonly z.core.$ZodIssue[],
  vocabulary: readonly string[] = [],
): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = closestWord(key, vocabulary);
        findings.push({
          location: doc.locateKey(path, key),
          message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}${describePath(path)}`,
        });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest: the one with the fewest issues is the user's intent.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      if (best.length > 0) {
        findings.push(...zodIssuesToFindings(doc, best, vocabulary));
        continue;
      }
    }
    findings.push({ location: doc.locate(path), message: `${issue.message}${describePath(path)}` });
  }
  return findings;
}

export function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  const text = path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  return ` (at ${text})`;
}

