import { InputError } from '../../src/core/errors.js';
import { loadSloFiles, type SpecFileSystem } from '../../src/slo/load.js';
import type { Slo } from '../../src/slo/model.js';

/** An in-memory filesystem holding the given files under /specs. */
function memoryFs(files: Readonly<Record<string, string>>): SpecFileSystem {
  const paths = Object.fromEntries(Object.entries(files).map(([name, text]) => [`/specs/${name}`, text]));
  return {
    readText: (path) => {
      const text = paths[path];
      return text === undefined ? Promise.reject(new Error(`ENOENT ${path}`)) : Promise.resolve(text);
    },
    isDirectory: (path) => {
      if (path === '/specs') return Promise.resolve(true);
      if (paths[path] !== undefined) return Promise.resolve(false);
      return Promise.reject(new Error(`ENOENT ${path}`));
    },
    list: () => Promise.resolve(Object.keys(files)),
  };
}

export async function loadFromMemory(files: Readonly<Record<string, string>>, paths = ['.']): Promise<Slo[]> {
  return loadSloFiles(paths, { defaultPeriodMs: 30 * 86_400_000, cwd: '/specs', fs: memoryFs(files) });
}

/** The finding lines (`file:line:col: message`) a set of files produces; [] when valid. */
export async function findingsOf(files: Readonly<Record<string, string>>): Promise<string[]> {
  try {
    await loadFromMemory(files);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.lines();
    throw error;
  }
}
