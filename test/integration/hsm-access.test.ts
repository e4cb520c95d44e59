// The HSM access layer against a real SoftHSM token: probe, device keys, signer, RNG, pool, close.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import { Hsm, HsmError, loadHsmConfig, SIGNING_PRIVATE_KEY_POLICY, SIGNING_PUBLIC_KEY_POLICY } from '#ingrain/crypto';
import { createTestToken, type TestToken } from '../../testkit/softhsm.js';

let token: TestToken;
let hsm: Hsm;

before(async () => {
  token = await createTestToken();
  hsm = await Hsm.open(loadHsmConfig({ ...token.env, INGRAIN_HSM_SESSION_POOL_SIZE: '2' }));
});

after(async () => {
  await hsm?.close();
  await token?.cleanup();
});

function countTokenObjects(): Promise<number> {
  return hsm.withSession((session, module) => {
    module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_TOKEN, value: true }]);
    try {
      return module.C_FindObjects(session, 10_000).length;
    } finally {
      module.C_FindObjectsFinal(session);
    }
  });
}

function countSessionObjects(): Promise<number> {
  return hsm.withSession((session, module) => {
    module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_TOKEN, value: false }]);
    try {
      return module.C_FindObjects(session, 10_000).length;
    } finally {
      module.C_FindObjectsFinal(session);
    }
  });
}

function verifies(spkiDer: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

void describe('capability probe', () => {
  void test('passes on SoftHSM, including the functional P-256 and HMAC checks', async () => {
    const report = await hsm.probe();
    assert.equal(report.ok, true, JSON.stringify(report.missing));
    const names = report.checks.map((check) => check.name);
    for (const name of ['CKM_EC_KEY_PAIR_GEN', 'CKM_ECDSA', 'CKM_SHA256_HMAC', 'CKM_GENERIC_SECRET_KEY_GEN']) {
      assert.ok(names.includes(name), name);
    }
    assert.ok(names.includes('P-256 ECDSA') && names.includes('HMAC-SHA256 with a generic secret'));
    assert.equal(report.missing.length, 0);
  });

  void test('names a mechanism the token lacks (SoftHSM has no CKM_ECDSA_SHA256)', async () => {
    const report = await hsm.probe({ extraMechanisms: ['CKM_ECDSA_SHA256'] });
    assert.equal(report.ok, false);
    assert.deepEqual(report.missing, ['CKM_ECDSA_SHA256']);
  });

  void test('Hsm.open refuses the token with HSM_CAPABILITY_MISSING naming the mechanism', async () => {
    await assert.rejects(
      Hsm.open(loadHsmConfig(token.env), { probe: { extraMechanisms: ['CKM_ECDSA_SHA256'] } }),
      (error: unknown) =>
        error instanceof HsmError &&
        error.code === 'HSM_CAPABILITY_MISSING' &&
        error.message.includes('CKM_ECDSA_SHA256'),
    );
    // The failed open released its sessions and module lease: the shared instance still works.
    assert.equal((await hsm.randomBytes(8)).length, 8);
  });

  void test('rejects an unknown mechanism name', async () => {
    await assert.rejects(hsm.probe({ extraMechanisms: ['CKM_NOT_A_MECHANISM'] }), { code: 'HSM_INVALID_ARGUMENT' });
  });
});

void describe('device key generation', () => {
  void test('makes session objects only: token object count unchanged after 100 generations', async () => {
    const tokenObjectsBefore = await countTokenObjects();
    const points = new Set<string>();
    for (let i = 0; i < 100; i += 1) {
      const pair = await hsm.generateDeviceKeyPair();
      assert.equal(pair.privateKey, undefined);
      points.add(Buffer.from(pair.publicKeyPoint).toString('hex'));
    }
    assert.equal(points.size, 100);
    assert.equal(await countTokenObjects(), tokenObjectsBefore);
    assert.equal(await countSessionObjects(), 0, 'session objects are destroyed before returning');
  });

  void test('returns a valid P-256 SPKI and the matching 65-byte uncompressed point', async () => {
    const pair = await hsm.generateDeviceKeyPair();
    assert.equal(pair.publicKeyPoint.length, 65);
    assert.equal(pair.publicKeyPoint[0], 0x04);
    const jwk = createPublicKey({ key: Buffer.from(pair.publicKeySpkiDer), format: 'der', type: 'spki' }).export({
      format: 'jwk',
    });
    assert.equal(jwk.crv, 'P-256');
    const xy = Buffer.concat([Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
    assert.deepEqual(xy, Buffer.from(pair.publicKeyPoint.subarray(1)));
  });

  void test('exports a 32-byte private scalar only when asked, and it matches the public key', async () => {
    const pair = await hsm.generateDeviceKeyPair({ exportPrivateKey: true });
    assert.ok(pair.privateKey !== undefined);
    assert.equal(pair.privateKey.length, 32);
    const jwk = createPublicKey({ key: Buffer.from(pair.publicKeySpkiDer), format: 'der', type: 'spki' }).export({
      format: 'jwk',
    });
    const { createPrivateKey, sign } = await import('node:crypto');
    const privateKey = createPrivateKey({
      key: { ...jwk, d: Buffer.from(pair.privateKey).toString('base64url') },
      format: 'jwk',
    });
    const message = Buffer.from('device identity');
    const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    assert.ok(verifies(pair.publicKeySpkiDer, message, signature));
    assert.equal(await countSessionObjects(), 0);
  });

  void test('runs concurrently beyond the pool size without mixing sessions', async () => {
    const pairs = await Promise.all(Array.from({ length: 12 }, () => hsm.generateDeviceKeyPair()));
    assert.equal(new Set(pairs.map((pair) => Buffer.from(pair.publicKeyPoint).toString('hex'))).size, 12);
  });
});

void describe('signer', () => {
  const label = 'test-signing-key';

  before(async () => {
    await hsm.generateTokenKeyPair(label, {
      privateKey: SIGNING_PRIVATE_KEY_POLICY,
      publicKey: SIGNING_PUBLIC_KEY_POLICY,
    });
  });

  void test('produces P1363 signatures that node:crypto verifies', async () => {
    const signer = await hsm.findSigner(label);
    assert.equal(signer.label, label);
    const message = new TextEncoder().encode('attestation payload');
    const signature = await signer.sign(message);
    assert.equal(signature.length, 64);
    assert.ok(verifies(signer.publicKeySpkiDer, message, signature));
    assert.ok(!verifies(signer.publicKeySpkiDer, new TextEncoder().encode('other payload'), signature));
  });

  void test('is cached and signs concurrently', async () => {
    const [first, second] = await Promise.all([hsm.findSigner(label), hsm.findSigner(label)]);
    assert.equal(first, second);
    const messages = Array.from({ length: 10 }, (_, i) => new TextEncoder().encode(`message ${i}`));
    const signatures = await Promise.all(messages.map((message) => first.sign(message)));
    signatures.forEach((signature, i) => assert.ok(verifies(first.publicKeySpkiDer, messages[i]!, signature)));
  });

  void test('a missing label is HSM_KEY_NOT_FOUND', async () => {
    await assert.rejects(hsm.findSigner('no-such-key'), { code: 'HSM_KEY_NOT_FOUND' });
  });

  void test('a label that is not a P-256 signing key is HSM_KEY_CONFLICT', async () => {
    await hsm.generateTokenSecretKey('test-secret-not-a-signer', 32, { sign: true });
    await assert.rejects(hsm.findSigner('test-secret-not-a-signer'), { code: 'HSM_KEY_NOT_FOUND' });
    await hsm.generateTokenKeyPair('test-duplicate', { privateKey: { sign: true }, publicKey: { verify: true } });
    await hsm.generateTokenKeyPair('test-duplicate', { privateKey: { sign: true }, publicKey: { verify: true } });
    await assert.rejects(hsm.findSigner('test-duplicate'), { code: 'HSM_KEY_CONFLICT' });
  });
});

void describe('random bytes', () => {
  void test('returns the requested length from the token RNG', async () => {
    const [a, b] = await Promise.all([hsm.randomBytes(32), hsm.randomBytes(32)]);
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, b);
  });

  void test('rejects a length outside 1..65536', async () => {
    await assert.rejects(hsm.randomBytes(0), { code: 'HSM_INVALID_ARGUMENT' });
    await assert.rejects(hsm.randomBytes(65_537), { code: 'HSM_INVALID_ARGUMENT' });
  });
});

void describe('close', () => {
  void test('waits for running operations, then refuses new ones with HSM_CLOSED', async () => {
    const other = await Hsm.open(loadHsmConfig(token.env), { probe: false });
    const running = other.generateDeviceKeyPair();
    await other.close();
    assert.equal((await running).publicKeyPoint.length, 65);
    await assert.rejects(other.randomBytes(4), { code: 'HSM_CLOSED' });
    await other.close(); // idempotent
    // The process-wide module is still initialized for the first instance.
    assert.equal((await hsm.randomBytes(4)).length, 4);
  });
});
