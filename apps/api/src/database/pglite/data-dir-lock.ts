// An exclusive lock on a PGlite data directory. PGlite is an embedded database: each process that
// opens a directory runs its own PostgreSQL on the same files with no coordination, so a second
// process (ingrain-admin beside a running API) writes rows the first never sees, or corrupts them.
// The lock is a file in the directory naming its holder, like PostgreSQL's own postmaster.pid.
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock file, inside the data directory. */
export const DATA_DIR_LOCK_FILE = 'ingrain.lock';

/** Who holds a data directory. */
export interface DataDirHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

interface LockContent extends DataDirHolder {
  /** Tells this opener's lock from any other, even of the same process. */
  readonly nonce: string;
}

/** Another process (or another open database of this one) holds the data directory. */
export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';

  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly holder: DataDirHolder | undefined,
  ) {
    const who =
      holder === undefined
        ? 'another process (its lock file cannot be read)'
        : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
    super(
      `the PGlite data directory ${dataDir} is in use by ${who}: one process per data directory. ` +
        `If no such process runs, remove ${lockFile}`,
    );
    this.name = new.target.name;
  }
}

/** Nonces of the locks this process holds now: a lock with our pid and another nonce is a previous process's. */
const heldHere = new Set<string>();

/** A held lock: release it when the database is closed (process exit releases it too). */
export class DataDirLock {
  #held = true;
  readonly #onExit = () => this.#releaseSync();

  constructor(
    readonly lockFile: string,
    private readonly content: LockContent,
  ) {
    heldHere.add(content.nonce);
    process.once('exit', this.#onExit);
  }

  /** Removes the lock file if it is still this lock's. Idempotent. */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    heldHere.delete(this.content.nonce);
    process.removeListener('exit', this.#onExit);
    const current = parseContent(await readFile(this.lockFile, 'utf8').catch(() => ''));
    if (current?.nonce === this.content.nonce) await unlink(this.lockFile).catch(() => undefined);
  }

  #releaseSync(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      if (parseContent(readFileSync(this.lockFile, 'utf8'))?.nonce === this.content.nonce) unlinkSync(this.lockFile);
    } catch {
      // Gone already, or unreadable: the next opener's staleness check decides.
    }
  }
}

/**
 * Takes the lock of `dataDir` (an existing directory). A lock left by a process that is gone
 * (same host, no such pid) is stale and taken over. The lock file is written whole before it
 * appears (written aside, then hard-linked into place, which fails if one exists).
 *
 * @throws DataDirInUseError when a live process holds it (this one included: a second open
 *   database on the same directory), or when its holder is on another host or the file is
 *   unreadable (no way to tell it is gone); a file system error as is.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockFile = join(dataDir, DATA_DIR_LOCK_FILE);
  const content: LockContent = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    nonce: randomUUID(),
  };
  const draft = `${lockFile}.${process.pid}.${content.nonce}`;
  await writeFile(draft, `${JSON.stringify(content)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await link(draft, lockFile);
        return new DataDirLock(lockFile, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = parseContent(await readFile(lockFile, 'utf8').catch(() => ''));
      if (holder === undefined || !isStale(holder)) throw new DataDirInUseError(dataDir, lockFile, holder);
      await unlink(lockFile).catch(() => undefined); // its process is gone; then try once more
    }
    throw new DataDirInUseError(dataDir, lockFile, parseContent(await readFile(lockFile, 'utf8').catch(() => '')));
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/**
 * True when the holder's process is known to be gone: same host, and no process has its pid, or
 * it has ours but is not a lock this process holds (an earlier process with the same pid: in a
 * container, the API is often pid 1 on every start). Another host's process cannot be checked.
 */
function isStale(holder: LockContent): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !heldHere.has(holder.nonce);
  try {
    process.kill(holder.pid, 0); // signal 0: only checks that the process exists
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: it exists, owned by another user
  }
}

function parseContent(text: string): LockContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    if (
      Number.isSafeInteger(value.pid) &&
      typeof value.host === 'string' &&
      typeof value.since === 'string' &&
      typeof value.nonce === 'string'
    ) {
      return value as LockContent;
    }
  } catch {
    // not JSON: unreadable
  }
  return undefined;
}
