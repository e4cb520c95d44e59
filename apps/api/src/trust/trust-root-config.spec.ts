import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadApiConfig } from '../config/api-config.js';

function witnessVkey(name: string): string {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const material = Buffer.concat([Uint8Array.of(0x04), raw]);
  const hash = createHash('sha256').update(`${name}\n`).update(material).digest().subarray(0, 4).toString('hex');
  return `${name}+${hash}+${material.toString('base64')}`;
}

describe('INGRAIN_TRUST_ROOT_WITNESS_KEYS and _THRESHOLD', () => {
  let dir: string;
  let hsmEnv: Record<string, string>;
  const [a, b] = [witnessVkey('w.example/a'), witnessVkey('w.example/b')];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-trust-root-config-'));
    await writeFile(join(dir, 'pin'), '123456\n');
    hsmEnv = { INGRAIN_HSM_PIN_FILE: join(dir, 'pin'), INGRAIN_HSM_TOKEN_LABEL: 'test' };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('default: no witness; keys given: every key needed unless a threshold says fewer', () => {
    assert.deepEqual(loadApiConfig(hsmEnv).trustRootWitnesses, { keys: [], threshold: 0 });
    const keys = `${a}, ${b}`;
    assert.deepEqual(loadApiConfig({ ...hsmEnv, INGRAIN_TRUST_ROOT_WITNESS_KEYS: keys }).trustRootWitnesses, {
      keys: [a, b],
      threshold: 2,
    });
    const oneOfTwo = { ...hsmEnv, INGRAIN_TRUST_ROOT_WITNESS_KEYS: keys, INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD: '1' };
    assert.equal(loadApiConfig(oneOfTwo).trustRootWitnesses.threshold, 1);
  });

  test('a bad key or threshold names the variable and never echoes the value', () => {
    const badKey = { ...hsmEnv, INGRAIN_TRUST_ROOT_WITNESS_KEYS: `${a},not-a-vkey` };
    assert.throws(() => loadApiConfig(badKey), /INGRAIN_TRUST_ROOT_WITNESS_KEYS is invalid: key 2: must be/);
    const twice = { ...hsmEnv, INGRAIN_TRUST_ROOT_WITNESS_KEYS: `${a},${a}` };
    assert.throws(() => loadApiConfig(twice), /key 2 is listed twice/);
    const tooMany = { ...hsmEnv, INGRAIN_TRUST_ROOT_WITNESS_KEYS: a, INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD: '2' };
    assert.throws(() => loadApiConfig(tooMany), /INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD is invalid: expected 1 to 1/);
    const without = { ...hsmEnv, INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD: '1' };
    assert.throws(() => loadApiConfig(without), /must be 0 \(or unset\) without INGRAIN_TRUST_ROOT_WITNESS_KEYS/);
    assert.throws(
      () => loadApiConfig(badKey),
      (error: Error) => !error.message.includes(a),
    );
  });
});
