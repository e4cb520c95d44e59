import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { Ed25519Cosigner, cosignerVkeyString } from '#ingrain/crypto';
import { apiEnvSchema } from './env-schema.js';
import { witnessingConfig } from './witness-config.js';

const vkey = (name: string): string =>
  cosignerVkeyString(new Ed25519Cosigner(name, generateKeyPairSync('ed25519').privateKey).key);
const parse = (env: Record<string, string>) => witnessingConfig(apiEnvSchema.parse(env));

describe('witnessingConfig (INGRAIN_WITNESS_*)', () => {
  test('null when unset; one key per URL, in order, with the defaults', () => {
    assert.equal(parse({}), null);
    const [a, b] = [vkey('w.example/a'), vkey('w.example/b')];
    const config = parse({ INGRAIN_WITNESS_URLS: 'http://a:1/, https://b', INGRAIN_WITNESS_KEYS: `${a},${b}` });
    assert.deepEqual(
      config?.witnesses.map((w) => [w.url, w.key.keyName]),
      [
        ['http://a:1', 'w.example/a'],
        ['https://b', 'w.example/b'],
      ],
    );
    assert.deepEqual([config?.intervalMs, config?.requestTimeoutMs], [10_000, 10_000]);
  });

  test('errors name the variable and the entry', () => {
    const a = vkey('w.example/a');
    assert.throws(() => parse({ INGRAIN_WITNESS_URLS: 'http://a', INGRAIN_WITNESS_KEYS: `${a},${a}` }), {
      code: 'CONFIG_INVALID',
      message: /INGRAIN_WITNESS_URLS lists 1 witnesses but INGRAIN_WITNESS_KEYS 2/,
    });
    assert.throws(() => parse({ INGRAIN_WITNESS_URLS: 'ftp://a', INGRAIN_WITNESS_KEYS: a }), {
      message: /INGRAIN_WITNESS_URLS entry 1 is invalid/,
    });
    assert.throws(
      () => parse({ INGRAIN_WITNESS_URLS: 'http://a', INGRAIN_WITNESS_KEYS: 'w.example/a+00000000+AAAA' }),
      {
        message: /INGRAIN_WITNESS_KEYS entry 1 is invalid/,
      },
    );
    assert.throws(() => apiEnvSchema.parse({ INGRAIN_WITNESS_INTERVAL_MS: '5' }));
  });
});
