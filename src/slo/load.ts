import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { closestWord } from '../core/did-you-mean.js';
import { InputError, UsageError, type Finding } from '../core/errors.js';
import { parseYamlFile, subDocument, type YamlDocument } from '../core/yaml-source.js';
import type { IndicatorDocument, SpecFormatLoader } from './formats/format.js';
import { openSloLoader } from './formats/openslo.js';
import { shopsreLoader } from './formats/shopsre.js';
import { slothLoader } from './formats/sloth.js';
import type { Slo } from './model.js';

const loaders: readonly SpecFormatLoader[] = [shopsreLoader, slothLoader, openSloLoader];
const knownVersions = loaders.flatMap((l) => l.apiVersions);

/** The filesystem as the loader needs it; tests pass an in-memory one. */
export interface SpecFileSystem {
  readText(path: string): Promise<string>;
  isDirectory(path: string): Promise<boolean>;
  list(dir: string): Promise<string[]>;
}

export const nodeFileSystem: SpecFileSystem = {
  readText: (path) => readFile(path, 'utf8'),
  isDirectory: async (path) => (await stat(path)).isDirectory(),
  list: (dir) => readdir(dir),
};

export interface LoadSloOptions {
  readonly defaultPeriodMs: number;
  /** Paths in messages are shown relative to this directory. */
  readonly cwd: string;
  readonly fs?: SpecFileSystem;
}

/**
 * Reads SLO files of any supported format and returns the SLOs after segment expansion.
 * Every finding of every file is collected before failing, so one run shows all that is wrong.
 */
export async function loadSloFiles(paths: readonly string[], options: LoadSloOptions): Promise<Slo[]> {
  const fs = options.fs ?? nodeFileSystem;
  const files = await expandPaths(paths, options.cwd, fs);
  const documents: YamlDocument[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const display = relative(options.cwd, file) || file;
    const text = await fs.readText(file);
    try {
      for (const doc of parseYamlFile(display, text)) {
        // A file may hold a YAML list of documents (OpenSLO examples do).
        if (Array.isArray(doc.value))
          doc.value.forEach((item, i) => documents.push(subDocument(doc, [i], item)));
        else documents.push(doc);
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      findings.push(...error.findings);
    }
  }
  const indicators = collectIndicators(documents);
  const slos: Slo[] = [];
  const firstSeen = new Map<string, string>();
  for (const doc of documents) {
    if (isCompanionDocument(doc.value)) continue;
    const version = versionOf(doc.value);
    const loader = loaders.find((l) => version !== undefined && l.apiVersions.includes(version));
    if (!loader) {
      findings.push({ location: doc.locate(['apiVersion']), message: unknownVersionMessage(version) });
      continue;
    }
    const outcome = loader.load(doc, { defaultPeriodMs: options.defaultPeriodMs, indicators });
    findings.push(...outcome.findings);
    const reported = new Set<string>();
    for (const slo of outcome.slos) {
      const where = `${doc.file}:${doc.locate([]).line}`;
      const first = firstSeen.get(slo.id);
      if (first) {
        // One finding per SLO definition, not one per segment it expands to.
        const definition = `${slo.service}-${slo.baseName}`;
        if (!reported.has(definition)) {
          reported.add(definition);
          findings.push({
            location: doc.locate([]),
            message: `duplicate SLO "${definition}" (also defined at ${first})`,
          });
        }
        continue;
      }
      firstSeen.set(slo.id, where);
      slos.push(slo);
    }
  }
  if (findings.length > 0) throw new InputError(findings);
  if (slos.length === 0) throw new UsageError(`no SLOs found in ${paths.join(', ')}`);
  return slos;
}

/**
 * Documents that live beside SLO files but define no SLO (budget policies, Sloth window catalogs,
 * load results and profiles): skipped, so `slo validate examples/` checks a whole folder.
 */
const companionKinds: Readonly<Record<string, string>> = {
  BudgetPolicy: 'shopsre/v1',
  LoadResults: 'shopsre/v1',
  LoadProfile: 'shopsre/v1',
  AlertWindows: 'sloth.slok.dev/v1',
};

function isCompanionDocument(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { apiVersion, kind } = value as Record<string, unknown>;
  return (
    typeof kind === 'string' && companionKinds[kind] !== undefined && companionKinds[kind] === apiVersion
  );
}

function versionOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const version = record.apiVersion ?? record.version;
  return typeof version === 'string' ? version : undefined;
}

function unknownVersionMessage(version: string | undefined): string {
  if (version === undefined) return `missing apiVersion: expected one of ${knownVersions.join(', ')}`;
  const hint = closestWord(version, knownVersions);
  return `unsupported apiVersion "${version}"${hint ? ` (did you mean "${hint}"?)` : ''}: expected one of ${knownVersions.join(', ')}`;
}

function collectIndicators(documents: readonly YamlDocument[]): Map<string, IndicatorDocument> {
  const indicators = new Map<string, IndicatorDocument>();
  for (const doc of documents) {
    const value = doc.value as {
      apiVersion?: unknown;
      kind?: unknown;
      metadata?: { name?: unknown };
      spec?: unknown;
    };
    if (
      value?.apiVersion === 'openslo/v1' &&
      value.kind === 'SLI' &&
      typeof value.metadata?.name === 'string'
    ) {
      indicators.set(value.metadata.name, { doc: subDocument(doc, ['spec'], value.spec), spec: value.spec });
    }
  }
  return indicators;
}

async function expandPaths(paths: readonly string[], cwd: string, fs: SpecFileSystem): Promise<string[]> {
  if (paths.length === 0) throw new UsageError('no SLO files given');
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let isDir: boolean;
    try {
      isDir = await fs.isDirectory(absolute);
    } catch {
      throw new UsageError(`${path}: no such file or directory`);
    }
    if (!isDir) {
      files.push(absolute);
      continue;
    }
    const found = await walk(absolute, fs);
    if (found.length === 0) throw new UsageError(`${path}: no .yaml or .yml files in this directory`);
    files.push(...found);
  }
  return files;
}

async function walk(dir: string, fs: SpecFileSystem): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await fs.list(dir)).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(dir, name);
    if (await fs.isDirectory(path)) out.push(...(await walk(path, fs)));
    else if (['.yaml', '.yml'].includes(extname(name))) out.push(path);
  }
  return out;
}
