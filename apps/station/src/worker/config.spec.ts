import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadWorkerConfig } from './config.js';
import { StationError } from './errors.js';

const TOKEN = `ingr_${'x'.repeat(43)}`;
const ENV = {
  INGRAIN_STATION_ID: 'station-7',
  INGRAIN_STATION_TOKEN: TOKEN,
  INGRAIN_API_URL: 'http://127.0.0.1:8080',
  REDIS_URL: 'redis://127.0.0.1:6379/2',
  INGRAIN_LINE: 'smt-1',
  INGRAIN_FIXTURES: '/dev/pts/3, /dev/pts/5',
};
const noFile = (): string => {
  throw Object.assign(new Error('no file'), { code: 'ENOENT' });
};

function configError(run: () => unknown): StationError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof StationError);
    assert.equal(error.code, 'STATION_CONFIG_INVALID');
    return error;
  }
  assert.fail('expected STATION_CONFIG_INVALID');
}

describe('loadWorkerConfig', () => {
  test('reads the environment, with defaults', () => {
    const config = loadWorkerConfig([], ENV, noFile);
    assert.deepEqual(config.fixtures, ['/dev/pts/3', '/dev/pts/5']);
    assert.equal(config.stationId, 'station-7');
    assert.equal(config.token, TOKEN);
    assert.equal(config.baudRate, 115_200);
    assert.equal(config.releaseDir, undefined);
    assert.equal(config.spoolDir, '.ingrain/station-spool/station-7');
    assert.equal(config.stationKeyFile, '.ingrain/station-key/station-7/station-key.pem');
    const flagged = loadWorkerConfig(['--station-key-file', '/etc/ingrain/station-key.pem'], ENV, noFile);
    assert.equal(flagged.stationKeyFile, '/etc/ingrain/station-key.pem');
    assert.equal(config.linkRetries, 2);
    assert.equal(config.jobLockMs, 30_000);
  });

  test('flags win over the environment', () => {
    const config = loadWorkerConfig(['--line', 'smt-2', '--fixtures', '/dev/ttyUSB0', '--baud', '57600'], ENV, noFile);
    assert.equal(config.line, 'smt-2');
    assert.deepEqual(config.fixtures, ['/dev/ttyUSB0']);
    assert.equal(config.baudRate, 57_600);
  });

  test('the token comes from INGRAIN_STATION_TOKEN_FILE, trimmed', () => {
    const env = { ...ENV, INGRAIN_STATION_TOKEN: undefined, INGRAIN_STATION_TOKEN_FILE: '/run/secrets/token' };
    const config = loadWorkerConfig([], env, (path) => (path === '/run/secrets/token' ? `${TOKEN}\n` : noFile()));
    assert.equal(config.token, TOKEN);
  });

  test('the token is never a flag, and never appears in an error', () => {
    const flag = configError(() => loadWorkerConfig(['--token', TOKEN], ENV, noFile));
    assert.match(flag.message, /never from a flag/);
    assert.ok(!flag.message.includes(TOKEN));
    const bad = configError(() =>
      loadWorkerConfig([], { ...ENV, INGRAIN_API_URL: 'ftp://x', INGRAIN_STATION_TOKEN: `${TOKEN} x` }, noFile),
    );
    assert.match(bad.message, /INGRAIN_API_URL/);
    assert.match(bad.message, /station token/);
    assert.ok(!bad.message.includes(TOKEN));
  });

  test('both token sources at once are refused', () => {
    configError(() => loadWorkerConfig([], { ...ENV, INGRAIN_STATION_TOKEN_FILE: '/t' }, () => TOKEN));
  });

  test('every missing or bad setting is named', () => {
    const error = configError(() => loadWorkerConfig(['--baud', '9'], { INGRAIN_FIXTURES: '/a,/a' }, noFile));
    for (const name of [
      'INGRAIN_STATION_ID',
      'INGRAIN_API_URL',
      'REDIS_URL',
      'INGRAIN_LINE',
      'INGRAIN_FIXTURES',
      'INGRAIN_BAUD',
    ])
      assert.match(error.message, new RegExp(name));
  });

  test('the job lock comes from INGRAIN_JOB_LOCK_MS or --job-lock-ms, at least 1 s', () => {
    assert.equal(loadWorkerConfig([], { ...ENV, INGRAIN_JOB_LOCK_MS: '2000' }, noFile).jobLockMs, 2_000);
    const flag = loadWorkerConfig(['--job-lock-ms', '5000'], { ...ENV, INGRAIN_JOB_LOCK_MS: '2000' }, noFile);
    assert.equal(flag.jobLockMs, 5_000);
    for (const bad of ['999', '600001', '1.5', 'soon']) {
      const error = configError(() => loadWorkerConfig(['--job-lock-ms', bad], ENV, noFile));
      assert.match(error.message, /INGRAIN_JOB_LOCK_MS \/ --job-lock-ms/);
    }
  });

  test('a line that cannot name a queue is refused', () => {
    configError(() => loadWorkerConfig(['--line', 'a:b'], ENV, noFile));
  });

  test('plain http:// to a host that is not loopback is refused unless INGRAIN_ALLOW_PLAIN_HTTP says so', () => {
    for (const url of ['http://api.factory.example:8080', 'http://10.0.0.5:8080', 'http://[fe80::1]:8080']) {
      const error = configError(() => loadWorkerConfig([], { ...ENV, INGRAIN_API_URL: url }, noFile));
      assert.match(error.message, /INGRAIN_API_URL \/ --api-url: plain http:\/\/ to a host that is not loopback/);
      assert.match(error.message, /INGRAIN_ALLOW_PLAIN_HTTP=1/);
      assert.doesNotMatch(error.message, new RegExp(TOKEN));
    }
    const allowed = loadWorkerConfig(
      [],
      { ...ENV, INGRAIN_API_URL: 'http://10.0.0.5:8080', INGRAIN_ALLOW_PLAIN_HTTP: '1' },
      noFile,
    );
    assert.equal(allowed.allowPlainHttp, true);
    assert.equal(
      loadWorkerConfig(['--allow-plain-http', 'yes', '--api-url', 'http://10.0.0.5'], ENV, noFile).apiUrl,
      'http://10.0.0.5',
    );
    configError(() => loadWorkerConfig([], { ...ENV, INGRAIN_ALLOW_PLAIN_HTTP: 'maybe' }, noFile));
  });

  test('https:// anywhere and plain http:// to loopback need no override', () => {
    for (const url of [
      'https://api.factory.example',
      'http://127.0.0.1:8080',
      'http://127.8.9.10',
      'http://localhost:1',
      'http://[::1]:8080',
    ]) {
      const config = loadWorkerConfig([], { ...ENV, INGRAIN_API_URL: url }, noFile);
      assert.equal(config.apiUrl, url);
      assert.equal(config.allowPlainHttp, false);
    }
  });

  test('Redis Sentinel: INGRAIN_REDIS_SENTINELS with INGRAIN_REDIS_SENTINEL_NAME, both or neither', () => {
    assert.equal(loadWorkerConfig([], ENV, noFile).redisSentinel, null);
    const env = { ...ENV, INGRAIN_REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.2:26380,[::1]:26381' };
    const config = loadWorkerConfig([], { ...env, INGRAIN_REDIS_SENTINEL_NAME: 'ingrain' }, noFile);
    assert.deepEqual(config.redisSentinel, {
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'ingrain',
    });
    assert.match(configError(() => loadWorkerConfig([], env, noFile)).message, /INGRAIN_REDIS_SENTINELS.*set both/);
    const bad = { ...ENV, INGRAIN_REDIS_SENTINELS: 'sentinel-a', INGRAIN_REDIS_SENTINEL_NAME: 'ingrain' };
    assert.match(
      configError(() => loadWorkerConfig([], bad, noFile)).message,
      /INGRAIN_REDIS_SENTINELS.*not host:port/,
    );
  });
});
