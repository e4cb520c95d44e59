import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DATA_DIR_LOCK_FILE, DataDirInUseError, lockDataDir } from './data-dir-lock.js';

let dir: string;
const lockFile = () => join(dir, DATA_DIR_LOCK_FILE);
const writeLock = (content: Record<string, unknown>) => writeFile(lockFile(), JSON.stringify(content));

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.ok(child.pid !== undefined);
  return child.pid;
}

describe('lockDataDir', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes the holder, refuses a second opener naming directory and pid, release removes it', async () => {
    const lock = await lockDataDir(dir);
    const content = JSON.parse(await readFile(lockFile(), 'utf8')) as { pid: number; host: string };
    assert.deepEqual([content.pid, content.host], [process.pid, hostname()]);
    await assert.rejects(lockDataDir(dir), (error: unknown) => {
      assert.ok(error instanceof DataDirInUseError);
      assert.equal(error.code, 'DATA_DIR_IN_USE');
      assert.ok(error.message.includes(dir) && error.message.includes(`process ${process.pid}`), error.message);
      return true;
    });
    await lock.release();
    await lock.release();
    assert.equal(existsSync(lockFile()), false);
    await (await lockDataDir(dir)).release();
    assert.deepEqual(await readdir(dir), [], 'no draft files left behind');
  });

  test('takes over a lock whose process is gone, or an earlier process with our pid', async () => {
    for (const pid of [deadPid(), process.pid]) {
      await writeLock({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z', nonce: 'earlier' });
      const lock = await lockDataDir(dir);
      assert.equal((JSON.parse(await readFile(lockFile(), 'utf8')) as { pid: number }).pid, process.pid);
      await lock.release();
    }
  });

  test('refuses a lock of a live process, of another host, or that cannot be read', async () => {
    for (const content of [
      JSON.stringify({ pid: process.ppid, host: hostname(), since: 'now', nonce: 'other' }),
      JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, since: 'now', nonce: 'other' }),
      'garbage',
    ]) {
      await writeFile(lockFile(), content);
      await assert.rejects(lockDataDir(dir), DataDirInUseError);
      assert.equal(await readFile(lockFile(), 'utf8'), content, 'left as it was');
    }
  });

  test('release leaves a lock that is no longer its own', async () => {
    const lock = await lockDataDir(dir);
    await writeLock({ pid: process.ppid, host: hostname(), since: 'now', nonce: 'someone-else' });
    await lock.release();
    assert.ok(existsSync(lockFile()));
  });
});
