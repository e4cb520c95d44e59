import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { loadApiConfig, loadDatabaseConfig } from './api-config.js';
import { ConfigError } from './config-error.js';

describe('loadApiConfig', () => {
  let dir: string;
  let hsmEnv: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-config-'));
    await writeFile(join(dir, 'pin'), '123456\n');
    hsmEnv = { INGRAIN_HSM_PIN_FILE: join(dir, 'pin'), INGRAIN_HSM_TOKEN_LABEL: 'test' };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('applies the documented defaults, resolving paths against cwd', () => {
    const config = loadApiConfig(hsmEnv, '/srv/ingrain');
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8080, bodyLimitBytes: 1_048_576, trustProxy: false });
    assert.deepEqual(config.database, { kind: 'pglite', dataDir: '/srv/ingrain/.ingrain/data' });
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.logOrigin, 'ingrain.local/log');
    assert.deepEqual(config.log, { checkpointIntervalMs: 1000, public: false });
    assert.equal(config.publicKeysDir, '/srv/ingrain/.ingrain/public-keys');
    assert.deepEqual(config.authFailureLimit, { maxFailures: 10, windowMs: 60_000 });
    assert.equal(config.authCacheTtlMs, 2000);
    assert.equal(config.hsm.pin.reveal(), '123456');
  });

  test('INGRAIN_AUTH_CACHE_TTL_MS: 0 (off) to a minute', () => {
    assert.equal(loadApiConfig({ ...hsmEnv, INGRAIN_AUTH_CACHE_TTL_MS: '0' }).authCacheTtlMs, 0);
    assert.equal(loadApiConfig({ ...hsmEnv, INGRAIN_AUTH_CACHE_TTL_MS: '60000' }).authCacheTtlMs, 60_000);
    assert.throws(
      () => loadApiConfig({ ...hsmEnv, INGRAIN_AUTH_CACHE_TTL_MS: '60001' }),
      (error: unknown) => error instanceof ConfigError && /INGRAIN_AUTH_CACHE_TTL_MS/.test(error.message),
    );
  });

  test('Redis Sentinel: INGRAIN_REDIS_SENTINELS with INGRAIN_REDIS_SENTINEL_NAME, both or neither', () => {
    assert.equal(loadApiConfig(hsmEnv).redisSentinel, null);
    const env = { ...hsmEnv, INGRAIN_REDIS_SENTINELS: 's1:26379,s2:26379' };
    const config = loadApiConfig({ ...env, INGRAIN_REDIS_SENTINEL_NAME: 'ingrain' });
    assert.deepEqual(config.redisSentinel, {
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'ingrain',
    });
    assert.throws(() => loadApiConfig(env), /set both or neither/);
    assert.throws(
      () => loadApiConfig({ ...env, INGRAIN_REDIS_SENTINELS: 's1:0', INGRAIN_REDIS_SENTINEL_NAME: 'ingrain' }),
      (error: unknown) => error instanceof ConfigError && /INGRAIN_REDIS_SENTINELS/.test(error.message),
    );
  });

  test('reads every variable', () => {
    const config = loadApiConfig(
      {
        ...hsmEnv,
        HOST: '0.0.0.0',
        PORT: '9000',
        DATABASE_URL: 'postgres://ingrain:s3cret@db.internal:5432/ingrain',
        REDIS_URL: 'redis://cache:6380/2',
        LOG_LEVEL: 'warn',
        INGRAIN_LOG_ORIGIN: 'factory.example/log/line-1',
        INGRAIN_PUBLIC_KEYS_DIR: 'keys',
        INGRAIN_BODY_LIMIT_BYTES: '2048',
        INGRAIN_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
        INGRAIN_AUTH_FAILURE_LIMIT: '3',
        INGRAIN_AUTH_FAILURE_WINDOW_SECONDS: '5',
      },
      '/srv',
    );
    assert.deepEqual(config.http, {
      host: '0.0.0.0',
      port: 9000,
      bodyLimitBytes: 2048,
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
    });
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://ingrain:s3cret@db.internal:5432/ingrain' });
    assert.equal(config.redisUrl, 'redis://cache:6380/2');
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.logOrigin, 'factory.example/log/line-1');
    assert.equal(config.publicKeysDir, '/srv/keys');
    assert.deepEqual(config.authFailureLimit, { maxFailures: 3, windowMs: 5_000 });
  });

  test('names each invalid variable, never its value', () => {
    const env = { ...hsmEnv, PORT: 'eighty', REDIS_URL: 'http://secret-host', LOG_LEVEL: 'loud' };
    assert.throws(
      () => loadApiConfig(env),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, 'CONFIG_INVALID');
        for (const name of ['PORT', 'REDIS_URL', 'LOG_LEVEL']) assert.match(error.message, new RegExp(name));
        assert.doesNotMatch(error.message, /eighty|secret-host|loud/);
        return true;
      },
    );
  });

  test('refuses ambiguous database settings and a bad log origin', () => {
    assert.throws(
      () => loadDatabaseConfig({ DATABASE_URL: 'postgres://h/db', INGRAIN_DATA_DIR: '/data' }),
      /DATABASE_URL and INGRAIN_DATA_DIR are both set/,
    );
    assert.throws(() => loadApiConfig({ ...hsmEnv, INGRAIN_LOG_ORIGIN: 'has space' }), /INGRAIN_LOG_ORIGIN/);
    assert.throws(
      () => loadDatabaseConfig({ DATABASE_URL: 'postgres://h/db', INGRAIN_PGLITE_SHARED_BUFFERS_MB: '32' }),
      /INGRAIN_PGLITE_SHARED_BUFFERS_MB is set with DATABASE_URL/,
    );
    const log = { INGRAIN_LOG_CHECKPOINT_INTERVAL_MS: '250', INGRAIN_LOG_PUBLIC: 'true' };
    assert.deepEqual(loadApiConfig({ ...hsmEnv, ...log }).log, { checkpointIntervalMs: 250, public: true });
    assert.throws(() => loadApiConfig({ ...hsmEnv, INGRAIN_LOG_PUBLIC: 'yes' }), /INGRAIN_LOG_PUBLIC/);
    assert.throws(() => loadApiConfig({ ...hsmEnv, INGRAIN_LOG_CHECKPOINT_INTERVAL_MS: '0' }), /INTERVAL_MS/);
  });

  test("INGRAIN_PGLITE_SHARED_BUFFERS_MB sizes PGlite's shared_buffers: 1 to 1024 MiB, unset leaves the default", () => {
    const env = { INGRAIN_DATA_DIR: '/data' };
    assert.deepEqual(loadDatabaseConfig(env), { kind: 'pglite', dataDir: '/data' });
    assert.deepEqual(loadDatabaseConfig({ ...env, INGRAIN_PGLITE_SHARED_BUFFERS_MB: '64' }), {
      kind: 'pglite',
      dataDir: '/data',
      sharedBuffersMb: 64,
    });
    for (const bad of ['0', '1025', '16MB', '-1']) {
      assert.throws(
        () => loadDatabaseConfig({ ...env, INGRAIN_PGLITE_SHARED_BUFFERS_MB: bad }),
        /INGRAIN_PGLITE_SHARED_BUFFERS_MB is invalid: expected an integer from 1 to 1024/,
      );
    }
  });

  test('HSM variable errors surface as ConfigError naming the variable', () => {
    assert.throws(
      () => loadApiConfig({}),
      (error: unknown) => error instanceof ConfigError && /INGRAIN_HSM_PIN_FILE/.test(error.message),
    );
  });

  test('printing the config masks the database password and the PIN', () => {
    const config = loadApiConfig({ ...hsmEnv, DATABASE_URL: 'postgres://ingrain:s3cret@db:5432/ingrain' });
    for (const text of [JSON.stringify(config), inspect(config)]) {
      assert.doesNotMatch(text, /s3cret|123456/);
      assert.match(text, /postgres:\/\/ingrain:\*\*\*@db:5432\/ingrain/);
    }
  });

  test('empty variables count as unset', () => {
    const config = loadApiConfig({ ...hsmEnv, PORT: '', DATABASE_URL: ' ' });
    assert.equal(config.http.port, 8080);
    assert.equal(config.database.kind, 'pglite');
  });
});
