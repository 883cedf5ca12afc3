import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * An executable on the PATH, else in /usr/bin (where Debian's packages put theirs even when a
 * service's PATH is thin); undefined when there is none.
 */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter).filter(Boolean), '/usr/bin']) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}
