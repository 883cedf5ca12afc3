import { resolve } from 'node:path';
import type { SourceLocation } from '../core/errors.js';
import { parseYamlFile } from '../core/yaml-source.js';
import type { Slo } from '../slo/model.js';
import { generateRuleGroups } from '../slo/rules/generate.js';
import { isRecordingRule } from '../slo/rules/rule-group.js';

/** An alert that `slo generate` writes, and where in the SLO files it comes from. */
export interface GeneratedAlert {
  readonly name: string;
  readonly slo: string;
  readonly location: SourceLocation;
}

/**
 * Every alert name the rules generated for `slos` carry (the same generator as `slo generate`), each
 * located at its `alerting.name` in the SLO file, or at the SLO's `name` when the alert name is
 * derived from it.
 */
export async function generatedAlerts(
  slos: readonly Slo[],
  options: { readonly cwd: string; readText(path: string): Promise<string> },
): Promise<GeneratedAlert[]> {
  const names = new Set(
    generateRuleGroups(slos, { version: 'lint', mode: 'cli-gen-prom' })
      .flatMap((group) => group.rules)
      .flatMap((rule) => (isRecordingRule(rule) ? [] : [rule.alert])),
  );
  const alerts: GeneratedAlert[] = [];
  const texts = new Map<string, string>();
  for (const name of names) {
    const slo = slos.find((s) => s.alerting.name === name);
    if (!slo) continue;
    const file = slo.source.file;
    if (!texts.has(file)) texts.set(file, await options.readText(resolve(options.cwd, file)));
    alerts.push({
      name,
      slo: slo.baseName,
      location: locate(file, texts.get(file) ?? '', [name, slo.baseName]),
    });
  }
  return alerts;
}

/** The first string value in the file equal to one of `values`, in order of preference. */
function locate(file: string, text: string, values: readonly string[]): SourceLocation {
  let docs;
  try {
    docs = parseYamlFile(file, text);
  } catch {
    return { file, line: 1, col: 1 };
  }
  for (const value of values) {
    for (const doc of docs) {
      const path = pathOf(doc.value, value, []);
      if (path) return doc.locate(path);
    }
  }
  return { file, line: 1, col: 1 };
}

function pathOf(node: unknown, value: string, path: PropertyKey[]): PropertyKey[] | undefined {
  if (node === value) return path;
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) {
      const found = pathOf(item, value, [...path, i]);
      if (found) return found;
    }
  } else if (node !== null && typeof node === 'object') {
    for (const [key, item] of Object.entries(node)) {
      const found = pathOf(item, value, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
