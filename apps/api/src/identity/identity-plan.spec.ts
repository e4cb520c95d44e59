import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseLayout } from '#ingrain/otp';
import { REPO_ROOT } from '../../../../testkit/paths.js';
import { generatedValues, planIdentity, publicKeyPointSha256, writeGeneratedValues } from './identity-plan.js';
import { unwrapAll, wipeSettled } from './settled.js';

const layoutFile = (name: string) => parseLayout(readFileSync(`${REPO_ROOT}/examples/layouts/${name}`, 'utf8'));

void describe('identity plan', () => {
  void test('gateway-f7: exports the private key, seals it with the secret input, derives nothing', () => {
    const plan = planIdentity(layoutFile('gateway-f7.yaml'));
    assert.equal(plan.exportsPrivateKey, true);
    assert.deepEqual(
      plan.secret.map((f) => f.name),
      ['device_key', 'support_pin'],
    );
    assert.deepEqual(
      plan.sealed.map((f) => f.name),
      ['device_key', 'support_pin'],
    );
    assert.deepEqual(plan.derived, []);
  });

  void test('sensor-node: derives its pairing key, seals nothing, keeps the private key in the HSM', () => {
    const plan = planIdentity(layoutFile('sensor-node.yaml'));
    assert.equal(plan.exportsPrivateKey, false);
    assert.deepEqual(
      plan.derived.map((f) => f.name),
      ['pairing_key'],
    );
    assert.deepEqual(plan.sealed, []);
    assert.deepEqual(
      plan.generated.map((f) => f.name),
      ['pubkey_hash', 'pairing_key'],
    );
  });

  void test('device-public-key-sha256 is SHA-256 of the 65-byte uncompressed point', () => {
    // SHA-256 of 0x04 and 64 zero bytes, from `(printf '\x04'; head -c 64 /dev/zero) | sha256sum`.
    const point = new Uint8Array(65);
    point[0] = 0x04;
    assert.equal(
      Buffer.from(publicKeyPointSha256(point)).toString('hex'),
      '59ef1a5a00f35b1a722da56ca70b52a721f33998634d4fa4259301f170f7b6bd',
    );
    const plan = planIdentity(layoutFile('sensor-node.yaml'));
    const values = generatedValues(plan, {
      publicKeyPoint: point,
      privateKey: undefined,
      derived: new Map([['pairing_key', new Uint8Array(16).fill(7)]]),
    });
    assert.deepEqual(values['pubkey_hash'], publicKeyPointSha256(point));
    assert.deepEqual(values['pairing_key'], new Uint8Array(16).fill(7));
    assert.throws(() => generatedValues(plan, { publicKeyPoint: point, privateKey: undefined, derived: new Map() }));
  });
});

void describe('writeGeneratedValues', () => {
  void test('writes each generated value at its offset, refusing a wrong size or an all-0xFF value', () => {
    const layout = layoutFile('sensor-node.yaml');
    const plan = planIdentity(layout);
    const data = new Uint8Array(512).fill(0xff);
    const values = { pubkey_hash: new Uint8Array(32).fill(0x5f), pairing_key: new Uint8Array(16).fill(0x11) };
    writeGeneratedValues(data, plan, values);
    assert.ok(data.subarray(64, 96).every((byte) => byte === 0x5f));
    assert.ok(data.subarray(128, 144).every((byte) => byte === 0x11));
    for (const bad of [new Uint8Array(15), new Uint8Array(16).fill(0xff)]) {
      assert.throws(
        () => writeGeneratedValues(data, plan, { ...values, pairing_key: bad }),
        (error: unknown) => (error as { code?: string }).code === 'VALUES_INVALID' && /pairing_key/.test(String(error)),
      );
    }
  });
});

void describe('settled helpers', () => {
  void test('unwrapAll returns values in order, or wipes and rethrows the first failure', async () => {
    const secret = new Uint8Array(4).fill(9);
    const ok = await Promise.allSettled([Promise.resolve(1), Promise.resolve('a')]);
    assert.deepEqual(unwrapAll(ok), [1, 'a']);
    const failed = await Promise.allSettled([Promise.resolve(secret), Promise.reject(new Error('boom'))]);
    assert.throws(() => unwrapAll(failed, () => wipeSettled(failed)), /boom/);
    assert.deepEqual(secret, new Uint8Array(4));
  });

  void test('wipeSettled zeroes byte arrays, maps and arrays of them, and exported private keys', async () => {
    const buffers = Array.from({ length: 4 }, () => new Uint8Array(2).fill(1));
    const settled = await Promise.allSettled([
      Promise.resolve(buffers[0]),
      Promise.resolve([buffers[1]]),
      Promise.resolve(new Map([['k', buffers[2]]])),
      Promise.resolve({ publicKeyPoint: new Uint8Array(1).fill(4), privateKey: buffers[3] }),
    ]);
    wipeSettled(settled);
    for (const buffer of buffers) assert.deepEqual(buffer, new Uint8Array(2));
  });
});
