import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { closestWord } from '../../core/did-you-mean.js';
import { UsageError } from '../../core/errors.js';
import { packageFile } from '../../core/package-files.js';
import { parseScenario } from './load.js';
import type { Scenario } from './scenario.js';

/** Where the ready scenarios shipped with shopsre live. */
export function shippedScenariosDir(): string {
  return packageFile('scenarios');
}

export interface ScenarioEntry {
  readonly name: string;
  readonly file: string;
  readonly title: string;
  readonly faults: readonly string[];
  readonly durationMs: number;
}

/** The shipped scenarios, by name, each parsed (a broken shipped scenario is a bug, and throws). */
export async function listShippedScenarios(): Promise<ScenarioEntry[]> {
  const dir = shippedScenariosDir();
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const path = resolve(dir, file);
      const scenario = parseScenario(path, await readFile(path, 'utf8'));
      return {
        name: scenario.name,
        file: path,
        title: scenario.title,
        faults: scenario.faults.map((f) => f.spec.fault),
        durationMs: scenario.phases.baselineMs + scenario.phases.injectMs + scenario.phases.recoverTimeoutMs,
      };
    }),
  );
}

/**
 * A scenario by file path (anything with a `/` or a `.yaml`/`.yml` ending) or by the name of a
 * shipped one; an unknown name gets the list and a did-you-mean.
 */
export async function resolveScenario(
  nameOrFile: string,
  cwd: string,
): Promise<{ readonly scenario: Scenario; readonly path: string }> {
  const looksLikeFile = nameOrFile.includes('/') || ['.yaml', '.yml'].includes(extname(nameOrFile));
  const path = looksLikeFile
    ? resolve(cwd, nameOrFile)
    : resolve(shippedScenariosDir(), `${nameOrFile}.yaml`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (looksLikeFile) {
      throw new UsageError(`cannot read scenario ${nameOrFile}: ${(error as Error).message}`);
    }
    const names = (await listShippedScenarios()).map((s) => s.name);
    const hint = closestWord(nameOrFile, names);
    throw new UsageError(
      `no scenario named "${nameOrFile}"${hint ? ` (did you mean "${hint}"?)` : ''}; ready scenarios: ${names.join(', ')} (shopsre gameday list), or give a file`,
    );
  }
  return { scenario: parseScenario(looksLikeFile ? nameOrFile : basename(path), text), path };
}
