import {
  isMap,
  isNode,
  isScalar,
  LineCounter,
  type Scalar,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
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
  /** Location of character `offset` of the string value at `path` (for errors inside a query). */
  locateInString(path: readonly PropertyKey[], offset: number): SourceLocation;
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
    throw new InputError([
      { location: { file, line: 1, col: 1 }, message: 'file is empty: expected a YAML document' },
    ]);
  }
  return nonEmpty.map((doc, index) => toYamlDocument(file, index, doc, at, text));
}

function toYamlDocument(
  file: string,
  index: number,
  doc: Document.Parsed,
  at: (offset: number) => SourceLocation,
  text: string,
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
    locateInString: (path, offset) => {
      const node = nodeAt(path);
      if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return locationOf(node);
      return at(sourceOffsetOf(node.value, node.type, node.range[0], offset, text));
    },
  };
}

/**
 * Maps an offset in a scalar's value to an offset in the file. Exact for plain and block scalars and
 * for quoted scalars without escapes; otherwise it points at the right line.
 */
function sourceOffsetOf(
  value: string,
  type: Scalar['type'],
  start: number,
  offset: number,
  text: string,
): number {
  const before = value.slice(0, offset);
  const valueLine = before.split('\n').length - 1;
  const valueCol = offset - (before.lastIndexOf('\n') + 1);
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    // The header line (`|`, `>-`) comes first; content lines share one indentation.
    let lineStart = text.indexOf('\n', start) + 1;
    for (let i = 0; i < valueLine && lineStart > 0; i++) lineStart = text.indexOf('\n', lineStart) + 1;
    const indent = /^[ ]*/.exec(text.slice(lineStart))?.[0].length ?? 0;
    return lineStart + indent + valueCol;
  }
  const quote = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? 1 : 0;
  return valueLine === 0 ? start + quote + valueCol : start;
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
        // Branch issues carry paths relative to the union.
        const absolute = best.map((sub) => ({ ...sub, path: [...path, ...sub.path] }));
        findings.push(...zodIssuesToFindings(doc, absolute, vocabulary));
        continue;
      }
    }
    const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
    const key = path[path.length - 1];
    findings.push(
      missing && key !== undefined
        ? {
            location: doc.locate(path.slice(0, -1)),
            message: `missing required key "${String(key)}"${describePath(path.slice(0, -1))}`,
          }
        : { location: doc.locate(path), message: `${issue.message}${describePath(path)}` },
    );
  }
  return findings.sort((a, b) => a.location.line - b.location.line || a.location.col - b.location.col);
}

function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  const text = path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  return ` (at ${text})`;
}

/** A view of the item at `prefix` as a document of its own (files holding a list of documents). */
export function subDocument(doc: YamlDocument, prefix: readonly PropertyKey[], value: unknown): YamlDocument {
  return {
    file: doc.file,
    index: doc.index,
    value,
    locate: (path) => doc.locate([...prefix, ...path]),
    locateKey: (path, key) => doc.locateKey([...prefix, ...path], key),
    locateInString: (path, offset) => doc.locateInString([...prefix, ...path], offset),
  };
}

/**
 * Parses a file that must hold exactly one document of `kind` (a policy, a profile, a results file).
 * An empty file is already a finding of parseYamlFile; a second document is one here.
 */
export function parseSingleYamlDocument(file: string, text: string, kind: string): YamlDocument {
  const [doc, extra] = parseYamlFile(file, text);
  if (extra) {
    throw new InputError([
      { location: extra.locate([]), message: `expected one ${kind} document, found more` },
    ]);
  }
  if (!doc)
    throw new InputError([{ location: { file, line: 1, col: 1 }, message: `expected a ${kind} document` }]);
  return doc;
}
