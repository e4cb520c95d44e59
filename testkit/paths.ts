import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs from testkit/ (tsx) or dist/testkit/ (tsc). */
export const REPO_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root (nest-cli.json) not found');
    dir = parent;
  }
  return dir;
})();

/** Absolute path of an executable in bin/ (they run the compiled code in dist/). */
export function binPath(name: string): string {
  return join(REPO_ROOT, 'bin', name);
}
