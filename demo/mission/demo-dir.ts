import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';

/** Marks a directory as the demo's own, so that a later run may wipe it. */
const MARKER = '.ingrain-demo';

/**
 * Empties `dir` for a fresh run (missing → created). Only a directory a previous demo made (it holds
 * the marker file) or an empty one is wiped: a mistyped `--dir` never deletes someone's files.
 * @throws Error when `dir` holds anything else.
 */
export async function prepareDemoDir(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(MARKER))
      throw new Error(`${dir} is not empty and was not made by the demo: choose another --dir`);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'Made by npm run demo; wiped by its next run.\n');
}

/** Writes a secret (an API token) to `path`, readable by this user only. */
export async function writeSecretFile(path: string, secret: string): Promise<void> {
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
}

/** `path` relative to the working directory when it lies below it (shorter to copy), else absolute. */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}
