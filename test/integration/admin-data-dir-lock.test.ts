// One process per PGlite data directory (issue 9, defect 8): bin/ingrain-admin token commands are
// refused while bin/ingrain-api has the directory open, and work once it has stopped (or died).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DATA_DIR_LOCK_FILE } from '../../apps/api/src/database/pglite/data-dir-lock.js';
import { ApiProcess } from '../../testkit/stack/api-process.js';
import { freePort } from '../../testkit/stack/child-process.js';
import { prepareHsm, type StackHsm } from '../../testkit/stack/hsm-token.js';
import { startRedis, type RedisServer } from '../../testkit/stack/redis.js';
import { binPath } from '../../testkit/paths.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let dataDir: string;
let hsm: StackHsm;
let redis: RedisServer;
let api: ApiProcess;

function admin(args: readonly string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath('ingrain-admin'), ...args], { env: api.env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function createToken(name: string): Promise<string> {
  const created = await admin(['token', 'create', '--role', 'admin', '--name', name, '--json']);
  assert.equal(created.code, 0, created.stderr);
  return (JSON.parse(created.stdout) as { token: string }).token;
}

async function accepted(token: string): Promise<boolean> {
  const response = await fetch(`${api.url}/v1/tokens`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status === 200;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-dir-lock-'));
  dataDir = join(dir, 'data');
  [hsm, redis] = await Promise.all([prepareHsm(dir), startRedis()]);
  api = new ApiProcess({
    dataDir,
    publicKeysDir: hsm.publicKeysDir,
    hsmEnv: hsm.env,
    redisUrl: redis.url,
    port: await freePort(),
  });
});

after(async () => {
  await api?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

void describe('a PGlite data directory has one process', () => {
  void test('ingrain-admin token commands are refused while the API runs, naming the directory and its pid', async () => {
    const first = await createToken('before-start');
    await api.start();
    assert.ok(await accepted(first));
    for (const args of [
      ['token', 'create', '--role', 'admin', '--name', 'while-running', '--json'],
      ['token', 'list'],
    ]) {
      const refused = await admin(args);
      assert.equal(refused.code, 1, `${args.join(' ')} must fail: ${refused.stdout}`);
      assert.equal(refused.stdout, '', 'no token printed');
      assert.match(refused.stderr, /^error \[ADMIN_DATABASE_IN_USE\]: /);
      assert.ok(refused.stderr.includes(dataDir), refused.stderr);
      assert.ok(refused.stderr.includes(`process ${api.pid}`), refused.stderr);
      assert.match(refused.stderr, /Stop the API first, or do this through the API/);
    }
  });

  void test('a second API on the same directory does not start', async () => {
    const second = new ApiProcess({
      dataDir,
      publicKeysDir: hsm.publicKeysDir,
      hsmEnv: hsm.env,
      redisUrl: redis.url,
      port: await freePort(),
    });
    await assert.rejects(second.start(), /OPEN_FAILED.*in use by process/);
  });

  void test('once the API stops, the commands work and nothing was written meanwhile', async () => {
    await api.stop();
    assert.equal(existsSync(join(dataDir, DATA_DIR_LOCK_FILE)), false, 'the API removed its lock');
    const listed = await admin(['token', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /'before-start'/);
    assert.doesNotMatch(listed.stdout, /'while-running'/);
    const token = await createToken('after-stop');
    await api.start();
    assert.ok(await accepted(token), 'the API accepts the token the command printed');
  });

  void test('a lock left by a killed API is stale: the next opener takes it over', async () => {
    await api.kill();
    assert.ok(existsSync(join(dataDir, DATA_DIR_LOCK_FILE)), 'SIGKILL leaves the lock file');
    const token = await createToken('after-kill');
    await api.start();
    assert.ok(await accepted(token));
  });
});
