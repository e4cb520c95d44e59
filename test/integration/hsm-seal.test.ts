// Sealing device secrets with AES-256-GCM under the non-extractable service key
// `ingrain-secret-seal`, on a real SoftHSM token: round trip, refusal of altered blobs and of other
// AADs or keys, the documented key attributes, and the documented blob format reproduced with
// node:crypto from an imported test key.
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import {
  Hsm,
  HsmError,
  SERVICE_KEY_LABELS,
  ensureServiceKeys,
  loadHsmConfig,
  type Pkcs11,
  type Pkcs11Handle,
} from '#ingrain/crypto';
import { createTestToken, type TestToken } from '../../testkit/softhsm.js';

const SEAL_LABEL = SERVICE_KEY_LABELS.secretSeal;
// A known key, imported into this test's throwaway token only, to check the format byte for byte.
const TEST_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x40 + i));
const TEST_KEY_LABEL = 'test-seal-key';
const OTHER_KEY_LABEL = 'test-other-seal-key';
const AAD = Buffer.from('ingrain-sealed-secrets/v1|sensor-node|SN-000123');
const PLAINTEXT = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');

// docs/keys.md, "Seal key (CKO_SECRET_KEY)", written out here independently of the library's constants.
const EXPECTED_SEAL_ATTRIBUTES = {
  CKA_TOKEN: true,
  CKA_PRIVATE: true,
  CKA_MODIFIABLE: false,
  CKA_SENSITIVE: true,
  CKA_EXTRACTABLE: false,
  CKA_ALWAYS_SENSITIVE: true,
  CKA_NEVER_EXTRACTABLE: true,
  CKA_LOCAL: true,
  CKA_ENCRYPT: true,
  CKA_DECRYPT: true,
  CKA_SIGN: false,
  CKA_VERIFY: false,
  CKA_WRAP: false,
  CKA_UNWRAP: false,
  CKA_DERIVE: false,
} as const;

let token: TestToken;
let hsm: Hsm;

function importAesKey(label: string, value: Buffer) {
  return hsm.withSession((session, module) =>
    module.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
      { type: pkcs11js.CKA_LABEL, value: label },
      { type: pkcs11js.CKA_VALUE, value },
    ]),
  );
}

before(async () => {
  token = await createTestToken();
  hsm = await Hsm.open(loadHsmConfig(token.env));
  await ensureServiceKeys(hsm);
  await importAesKey(TEST_KEY_LABEL, TEST_KEY);
  await importAesKey(OTHER_KEY_LABEL, Buffer.alloc(32, 0x5a));
});

after(async () => {
  await hsm?.close();
  await token?.cleanup();
});

function findOne(module: Pkcs11, session: Pkcs11Handle, label: string): Pkcs11Handle {
  module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
  try {
    const handles = module.C_FindObjects(session, 10);
    assert.equal(handles.length, 1, `one object labelled ${label}`);
    return handles[0]!;
  } finally {
    module.C_FindObjectsFinal(session);
  }
}

/** The documented format, decrypted with node:crypto: 01 ‖ IV(12) ‖ ciphertext ‖ tag(16), AAD domain-prefixed. */
function openWithNode(key: Buffer, blob: Uint8Array, aad: Buffer): Buffer {
  const bytes = Buffer.from(blob);
  assert.equal(bytes[0], 1, 'format version 1');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 13));
  decipher.setAAD(Buffer.concat([Buffer.from('ingrain/seal/v1\0', 'latin1'), aad]));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(13, bytes.length - 16)), decipher.final()]);
}

function sealWithNode(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.concat([Buffer.from('ingrain/seal/v1\0', 'latin1'), aad]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(1), iv, ciphertext, cipher.getAuthTag()]);
}

const unsealFailed = (error: unknown) => error instanceof HsmError && error.code === 'HSM_UNSEAL_FAILED';

void describe('the seal key ingrain-secret-seal', () => {
  void test('is created by ensureServiceKeys with exactly the documented attributes, and cannot be read', async () => {
    const attributes = await hsm.withSession((session, module) => {
      const handle = findOne(module, session, SEAL_LABEL);
      const names = Object.keys(EXPECTED_SEAL_ATTRIBUTES);
      const types = names.map((name) => (pkcs11js as unknown as Record<string, number>)[name]!);
      const values = module.C_GetAttributeValue(
        session,
        handle,
        types.map((type) => ({ type })),
      );
      const [keyType, length] = module.C_GetAttributeValue(session, handle, [
        { type: pkcs11js.CKA_KEY_TYPE },
        { type: pkcs11js.CKA_VALUE_LEN },
      ]);
      assert.throws(
        () => module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]),
        /CKR_ATTRIBUTE_SENSITIVE/,
      );
      return {
        flags: Object.fromEntries(names.map((name, i) => [name, values[i]!.value[0] === 1])),
        keyType: keyType!.value.readUInt32LE(0),
        lengthBytes: length!.value.readUInt32LE(0),
      };
    });
    assert.deepEqual(attributes.flags, EXPECTED_SEAL_ATTRIBUTES);
    assert.equal(attributes.keyType, pkcs11js.CKK_AES);
    assert.equal(attributes.lengthBytes, 32);
  });

  void test('ensureServiceKeys is idempotent and fingerprints it with a stable key check value', async () => {
    const [first, second] = [await ensureServiceKeys(hsm), await ensureServiceKeys(hsm)];
    const seal = (states: typeof first) => states.find((state) => state.spec.label === SEAL_LABEL);
    assert.equal(seal(second)?.created, false);
    assert.match(seal(first)?.fingerprint ?? '', /^kcv:[0-9a-f]{16}$/);
    assert.equal(seal(second)?.fingerprint, seal(first)?.fingerprint);
  });

  void test('the key check value is the documented GCM tag prefix (checked with the imported test key)', async () => {
    const cipher = createCipheriv('aes-256-gcm', TEST_KEY, Buffer.alloc(12));
    cipher.setAAD(Buffer.from('ingrain/key-check-value/v1', 'ascii'));
    cipher.update(Buffer.alloc(16));
    cipher.final();
    const expected = cipher.getAuthTag().subarray(0, 8).toString('hex');
    assert.equal(await hsm.sealKeyCheckValue(TEST_KEY_LABEL), expected);
  });

  void test('is only an AES seal key: deriving or signing with it is refused', async () => {
    const context = { product: 'p', serial: 's', purpose: 'x' };
    await assert.rejects(hsm.deriveDeviceSecret(SEAL_LABEL, context, 16), { code: 'HSM_KEY_CONFLICT' });
    await assert.rejects(hsm.findSigner(SEAL_LABEL), { code: 'HSM_KEY_NOT_FOUND' });
    await assert.rejects(hsm.seal(SERVICE_KEY_LABELS.derivationMaster, PLAINTEXT, AAD), {
      code: 'HSM_KEY_CONFLICT',
    });
  });
});

void describe('seal and unseal', () => {
  void test('round trip; sealing twice gives different blobs of the documented length', async () => {
    const first = await hsm.seal(SEAL_LABEL, PLAINTEXT, AAD);
    const second = await hsm.seal(SEAL_LABEL, PLAINTEXT, AAD);
    assert.equal(first.length, 1 + 12 + PLAINTEXT.length + 16);
    assert.notDeepEqual(first, second);
    assert.deepEqual(Buffer.from(await hsm.unseal(SEAL_LABEL, first, AAD)), PLAINTEXT);
    assert.deepEqual(Buffer.from(await hsm.unseal(SEAL_LABEL, second, AAD)), PLAINTEXT);
    assert.ok(!Buffer.from(first).includes(PLAINTEXT), 'the plaintext is not in the blob');
  });

  void test('works concurrently beyond the session pool size', async () => {
    const plaintexts = Array.from({ length: 24 }, (_, i) => Buffer.alloc(1 + i, i));
    const blobs = await Promise.all(plaintexts.map((plaintext) => hsm.seal(SEAL_LABEL, plaintext, AAD)));
    const opened = await Promise.all(blobs.map((blob) => hsm.unseal(SEAL_LABEL, blob, AAD)));
    assert.deepEqual(
      opened.map((bytes) => Buffer.from(bytes)),
      plaintexts,
    );
  });

  void test('another AAD is refused with HSM_UNSEAL_FAILED', async () => {
    const blob = await hsm.seal(SEAL_LABEL, PLAINTEXT, AAD);
    for (const aad of [Buffer.from('ingrain-sealed-secrets/v1|sensor-node|SN-000124'), Buffer.alloc(0)]) {
      await assert.rejects(hsm.unseal(SEAL_LABEL, blob, aad), unsealFailed);
    }
  });

  void test('a blob altered anywhere (version, IV, ciphertext, tag) or truncated is refused', async () => {
    const blob = await hsm.seal(SEAL_LABEL, PLAINTEXT, AAD);
    for (const index of [0, 1, 12, 13, 13 + PLAINTEXT.length - 1, blob.length - 16, blob.length - 1]) {
      const altered = Uint8Array.from(blob);
      altered[index]! ^= 0x01;
      await assert.rejects(hsm.unseal(SEAL_LABEL, altered, AAD), unsealFailed, `byte ${index}`);
    }
    await assert.rejects(hsm.unseal(SEAL_LABEL, blob.subarray(0, blob.length - 1), AAD), unsealFailed);
    await assert.rejects(hsm.unseal(SEAL_LABEL, blob.subarray(0, 20), AAD), unsealFailed);
    // The pool's sessions are still healthy after the refusals.
    assert.deepEqual(Buffer.from(await hsm.unseal(SEAL_LABEL, blob, AAD)), PLAINTEXT);
  });

  void test('a blob sealed under another key is refused', async () => {
    const blob = await hsm.seal(OTHER_KEY_LABEL, PLAINTEXT, AAD);
    await assert.rejects(hsm.unseal(SEAL_LABEL, blob, AAD), unsealFailed);
  });

  void test('the blob format is standard AES-256-GCM: node:crypto opens HSM blobs and vice versa', async () => {
    const blob = await hsm.seal(TEST_KEY_LABEL, PLAINTEXT, AAD);
    assert.deepEqual(openWithNode(TEST_KEY, blob, AAD), PLAINTEXT);
    const fromNode = sealWithNode(TEST_KEY, Buffer.alloc(12, 0x77), PLAINTEXT, AAD);
    assert.deepEqual(Buffer.from(await hsm.unseal(TEST_KEY_LABEL, fromNode, AAD)), PLAINTEXT);
    const zeroIv = sealWithNode(TEST_KEY, Buffer.alloc(12), PLAINTEXT, AAD);
    await assert.rejects(hsm.unseal(TEST_KEY_LABEL, zeroIv, AAD), unsealFailed, 'the reserved IV');
  });

  void test('refuses bad arguments and unknown labels before sealing', async () => {
    await assert.rejects(hsm.seal(SEAL_LABEL, new Uint8Array(0), AAD), { code: 'HSM_INVALID_ARGUMENT' });
    await assert.rejects(hsm.seal(SEAL_LABEL, PLAINTEXT, new Uint8Array(4097)), { code: 'HSM_INVALID_ARGUMENT' });
    await assert.rejects(hsm.seal('no-such-seal-key', PLAINTEXT, AAD), { code: 'HSM_KEY_NOT_FOUND' });
  });
});

void describe('capability probe', () => {
  void test('lists the AES mechanisms and runs the functional AES-256-GCM check', async () => {
    const report = await hsm.probe();
    assert.equal(report.ok, true, JSON.stringify(report.missing));
    const names = report.checks.filter((check) => check.ok).map((check) => check.name);
    for (const name of ['CKM_AES_KEY_GEN', 'CKM_AES_GCM', 'AES-256-GCM seal']) assert.ok(names.includes(name), name);
  });
});
