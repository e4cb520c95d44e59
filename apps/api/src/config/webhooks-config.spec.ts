import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadApiConfig } from './api-config.js';
import { ConfigError } from './config-error.js';

describe('INGRAIN_WEBHOOKS_* configuration', () => {
  let dir: string;
  let hsmEnv: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-webhooks-config-'));
    await writeFile(join(dir, 'pin'), '123456\n');
    hsmEnv = { INGRAIN_HSM_PIN_FILE: join(dir, 'pin'), INGRAIN_HSM_TOKEN_LABEL: 'test' };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the documented defaults', () => {
    assert.deepEqual(loadApiConfig(hsmEnv).webhooks, {
      pollIntervalMs: 1_000,
      timeoutMs: 10_000,
      maxAttempts: 12,
      backoffBaseMs: 5_000,
      backoffMaxMs: 3_600_000,
      batchSize: 16,
      allowHttp: false,
    });
  });

  test('reads every variable; the cap is never below the base', () => {
    const config = loadApiConfig({
      ...hsmEnv,
      INGRAIN_WEBHOOKS_POLL_INTERVAL_MS: '250',
      INGRAIN_WEBHOOKS_TIMEOUT_MS: '3000',
      INGRAIN_WEBHOOKS_MAX_ATTEMPTS: '5',
      INGRAIN_WEBHOOKS_BACKOFF_BASE_MS: '2000',
      INGRAIN_WEBHOOKS_BACKOFF_MAX_MS: '1000',
      INGRAIN_WEBHOOKS_BATCH_SIZE: '4',
      INGRAIN_WEBHOOKS_ALLOW_HTTP: 'true',
    });
    assert.deepEqual(config.webhooks, {
      pollIntervalMs: 250,
      timeoutMs: 3_000,
      maxAttempts: 5,
      backoffBaseMs: 2_000,
      backoffMaxMs: 2_000,
      batchSize: 4,
      allowHttp: true,
    });
    assert.deepEqual((config.toJSON()['webhooks'] as { maxAttempts: number }).maxAttempts, 5);
  });

  test('names each invalid variable, never its value', () => {
    const env = {
      ...hsmEnv,
      INGRAIN_WEBHOOKS_MAX_ATTEMPTS: '0',
      INGRAIN_WEBHOOKS_TIMEOUT_MS: 'soon',
      INGRAIN_WEBHOOKS_ALLOW_HTTP: 'yes',
    };
    assert.throws(
      () => loadApiConfig(env),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const name of [
          'INGRAIN_WEBHOOKS_MAX_ATTEMPTS',
          'INGRAIN_WEBHOOKS_TIMEOUT_MS',
          'INGRAIN_WEBHOOKS_ALLOW_HTTP',
        ]) {
          assert.match(error.message, new RegExp(name));
        }
        assert.doesNotMatch(error.message, /soon|yes/);
        return true;
      },
    );
  });
});
