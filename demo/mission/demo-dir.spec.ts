import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { prepareDemoDir, writeSecretFile } from './demo-dir.js';

describe('prepareDemoDir', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ingrain-demo-dir-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('creates a missing directory, then wipes it on the next run', async () => {
    const dir = join(root, 'a', 'demo');
    await prepareDemoDir(dir);
    await writeFile(join(dir, 'bundles.jsonl'), '{}\n');
    await prepareDemoDir(dir);
    assert.deepEqual(await readdir(dir), ['.ingrain-demo']);
  });

  test('takes an empty directory', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    await prepareDemoDir(dir);
    assert.deepEqual(await readdir(dir), ['.ingrain-demo']);
  });

  test('refuses a directory with files it did not make, and leaves them', async () => {
    const dir = join(root, 'someone-else');
    await mkdir(dir);
    await writeFile(join(dir, 'thesis.tex'), 'precious');
    await assert.rejects(prepareDemoDir(dir), /not empty and was not made by the demo/);
    assert.deepEqual(await readdir(dir), ['thesis.tex']);
  });

  test('writeSecretFile: readable by the owner only', async () => {
    const path = join(root, 'token');
    await writeSecretFile(path, 'ingr_x');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });
});
