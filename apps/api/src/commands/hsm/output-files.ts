import { readFile, writeFile } from 'node:fs/promises';
import { AdminError } from '../errors.js';

/**
 * Writes `content` to `file` unless the file already holds exactly that (idempotent re-runs).
 * Returns true when it wrote. A file with other content is never overwritten: it records an
 * earlier ceremony's output, and a silent replacement would hide a key change.
 *
 * @throws AdminError `ADMIN_OUTPUT_CONFLICT` for different existing content, `ADMIN_OUTPUT_FAILED`
 *   when the file cannot be read or written.
 */
export async function writeOnce(file: string, content: string): Promise<boolean> {
  const existing = await readIfPresent(file);
  if (existing === content) return false;
  if (existing !== undefined) {
    throw new AdminError(
      'ADMIN_OUTPUT_CONFLICT',
      `${file} exists with different content: the token's keys differ from an earlier ceremony's (move the old output aside)`,
    );
  }
  try {
    await writeFile(file, content, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (error) {
    throw new AdminError('ADMIN_OUTPUT_FAILED', `cannot write ${file}`, { cause: error });
  }
}

/** The file's text, or undefined when it does not exist. @throws AdminError `ADMIN_OUTPUT_FAILED`. */
export async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AdminError('ADMIN_OUTPUT_FAILED', `cannot read ${file}`, { cause: error });
  }
}
