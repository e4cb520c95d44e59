// The key inventory on a real SoftHSM token: idempotent creation, refusal of weak or foreign keys,
// and every documented attribute, read through pkcs11js and cross-checked with OpenSC pkcs11-tool.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import { Hsm, HsmError, ensureServiceKeys, loadHsmConfig, type Pkcs11, type Pkcs11Handle } from '#ingrain/crypto';
import { createTestToken, type TestToken } from '../../testkit/softhsm.js';

const run = promisify(execFile);
const SIGNING_LABELS = ['ingrain-device-ca', 'ingrain-attestation', 'ingrain-log'];
const MASTER_LABEL = 'ingrain-derivation-master';
const SEAL_LABEL = 'ingrain-secret-seal';
const P256_OID_HEX = '06082a8648ce3d030107';

// docs/keys.md, "Key inventory", written out here independently of the library's policy constants.
const EXPECTED = {
  private: {
    CKA_TOKEN: true,
    CKA_PRIVATE: true,
    CKA_MODIFIABLE: false,
    CKA_SENSITIVE: true,
    CKA_EXTRACTABLE: false,
    CKA_ALWAYS_SENSITIVE: true,
    CKA_NEVER_EXTRACTABLE: true,
    CKA_LOCAL: true,
    CKA_SIGN: true,
    CKA_SIGN_RECOVER: false,
    CKA_DECRYPT: false,
    CKA_UNWRAP: false,
    CKA_DERIVE: false,
  },
  public: {
    CKA_TOKEN: true,
    CKA_PRIVATE: false,
    CKA_MODIFIABLE: false,
    CKA_LOCAL: true,
    CKA_VERIFY: true,
    CKA_VERIFY_RECOVER: false,
    CKA_ENCRYPT: false,
    CKA_WRAP: false,
    CKA_DERIVE: false,
  },
  secret: {
    CKA_TOKEN: true,
    CKA_PRIVATE: true,
    CKA_MODIFIABLE: false,
    CKA_SENSITIVE: true,
    CKA_EXTRACTABLE: false,
    CKA_ALWAYS_SENSITIVE: true,
    CKA_NEVER_EXTRACTABLE: true,
    CKA_LOCAL: true,
    CKA_SIGN: true,
    CKA_VERIFY: false,
    CKA_ENCRYPT: false,
    CKA_DECRYPT: false,
    CKA_WRAP: false,
    CKA_UNWRAP: false,
    CKA_DERIVE: false,
  },
} as const;

let token: TestToken;
let hsm: Hsm;

before(async () => {
  token = await createTestToken();
  hsm = await Hsm.open(loadHsmConfig(token.env));
});

after(async () => {
  await hsm?.close();
  await token?.cleanup();
});

function find(module: Pkcs11, session: Pkcs11Handle, template: pkcs11js.Template): Pkcs11Handle[] {
  module.C_FindObjectsInit(session, template);
  try {
    return module.C_FindObjects(session, 1000);
  } finally {
    module.C_FindObjectsFinal(session);
  }
}

function objectsLabelled(label: string): Promise<Pkcs11Handle[]> {
  return hsm.withSession((session, module) => find(module, session, [{ type: pkcs11js.CKA_LABEL, value: label }]));
}

async function destroyLabelled(label: string): Promise<void> {
  await hsm.withSession((session, module) => {
    for (const handle of find(module, session, [{ type: pkcs11js.CKA_LABEL, value: label }])) {
      module.C_DestroyObject(session, handle);
    }
  });
}

function readBooleans(label: string, objectClass: number, names: readonly string[]) {
  return hsm.withSession((session, module) => {
    const handles = find(module, session, [
      { type: pkcs11js.CKA_LABEL, value: label },
      { type: pkcs11js.CKA_CLASS, value: objectClass },
    ]);
    assert.equal(handles.length, 1, `one object of class ${objectClass} labelled ${label}`);
    const types = names.map((name) => (pkcs11js as unknown as Record<string, number>)[name]!);
    const values = module.C_GetAttributeValue(
      session,
      handles[0]!,
      types.map((type) => ({ type })),
    );
    return Object.fromEntries(names.map((name, i) => [name, values[i]!.value[0] === 1]));
  });
}

interface ToolObject {
  header: string;
  fields: Record<string, string>;
}

/** `pkcs11-tool --list-objects` (OpenSC 0.23), parsed into one record per object. */
async function listObjectsWithPkcs11Tool(): Promise<ToolObject[]> {
  // The PIN travels in the environment (env:VAR), not on the command line.
  const { stdout } = await run(
    'pkcs11-tool',
    [
      '--module',
      token.modulePath,
      '--token-label',
      token.label,
      '--login',
      '--pin',
      'env:TEST_PKCS11_PIN',
      '--list-objects',
    ],
    { env: { ...process.env, SOFTHSM2_CONF: token.confPath, TEST_PKCS11_PIN: token.userPin } },
  );
  const objects: ToolObject[] = [];
  for (const line of stdout.split('\n')) {
    if (/^\S.*Object;/.test(line)) objects.push({ header: line.trim(), fields: {} });
    const field = /^\s+([A-Za-z_]+):\s*(.*)$/.exec(line);
    const current = objects.at(-1);
    if (field !== null && current !== undefined) current.fields[field[1]!] = field[2]!.trim();
  }
  return objects;
}

void describe('ensureServiceKeys', () => {
  void test('refuses an existing key with weaker attributes, and adds no duplicate', async () => {
    await hsm.generateTokenKeyPair('ingrain-attestation', {
      privateKey: { private: true, sensitive: false, extractable: true, sign: true },
      publicKey: { verify: true },
    });
    await assert.rejects(
      ensureServiceKeys(hsm),
      (error: unknown) =>
        error instanceof HsmError &&
        error.code === 'HSM_KEY_POLICY_VIOLATION' &&
        error.message.includes('ingrain-attestation') &&
        error.message.includes('CKA_EXTRACTABLE is true, required false') &&
        error.message.includes('CKA_SENSITIVE is false, required true'),
    );
    assert.equal((await objectsLabelled('ingrain-attestation')).length, 2);
    await destroyLabelled('ingrain-attestation');
  });

  void test('refuses a label held by another kind of key (HSM_KEY_CONFLICT)', async () => {
    await hsm.generateTokenSecretKey('ingrain-log', 32, { sign: true });
    await assert.rejects(ensureServiceKeys(hsm), (error: unknown) => {
      return error instanceof HsmError && error.code === 'HSM_KEY_CONFLICT' && error.message.includes('ingrain-log');
    });
    assert.equal((await objectsLabelled('ingrain-log')).length, 1);
    await destroyLabelled('ingrain-log');
  });

  void test('is idempotent: a second run creates nothing and reports the same fingerprints', async () => {
    const first = await ensureServiceKeys(hsm);
    const second = await ensureServiceKeys(hsm);
    assert.deepEqual(
      first.map((state) => state.spec.label),
      [...SIGNING_LABELS, MASTER_LABEL, SEAL_LABEL],
    );
    assert.ok(second.every((state) => !state.created));
    assert.deepEqual(
      second.map((state) => state.fingerprint),
      first.map((state) => state.fingerprint),
    );
    for (const label of SIGNING_LABELS) assert.equal((await objectsLabelled(label)).length, 2, label);
    assert.equal((await objectsLabelled(MASTER_LABEL)).length, 1);
    assert.equal((await objectsLabelled(SEAL_LABEL)).length, 1);
  });

  void test('every signing key has exactly the documented attributes (read through pkcs11js)', async () => {
    for (const label of SIGNING_LABELS) {
      const privateFlags = await readBooleans(label, pkcs11js.CKO_PRIVATE_KEY, Object.keys(EXPECTED.private));
      assert.deepEqual(privateFlags, EXPECTED.private, `${label} private key`);
      const publicFlags = await readBooleans(label, pkcs11js.CKO_PUBLIC_KEY, Object.keys(EXPECTED.public));
      assert.deepEqual(publicFlags, EXPECTED.public, `${label} public key`);
    }
  });

  void test('the derivation master has exactly the documented attributes (read through pkcs11js)', async () => {
    const flags = await readBooleans(MASTER_LABEL, pkcs11js.CKO_SECRET_KEY, Object.keys(EXPECTED.secret));
    assert.deepEqual(flags, EXPECTED.secret);
    const valueLength = await hsm.withSession((session, module) => {
      const [handle] = find(module, session, [{ type: pkcs11js.CKA_LABEL, value: MASTER_LABEL }]);
      const [attribute] = module.C_GetAttributeValue(session, handle!, [{ type: pkcs11js.CKA_VALUE_LEN }]);
      return attribute!.value.readUInt32LE(0);
    });
    assert.equal(valueLength, 32);
  });

  void test('pkcs11-tool sees the same inventory: classes, curve, usages, access flags, IDs, public points', async () => {
    const states = await ensureServiceKeys(hsm);
    const objects = await listObjectsWithPkcs11Tool();
    assert.equal(objects.length, 8, objects.map((object) => object.header).join('\n'));
    const byLabel = (label: string, kind: string) => {
      const matches = objects.filter((object) => object.fields['label'] === label && object.header.startsWith(kind));
      assert.equal(matches.length, 1, `${kind} ${label}`);
      return matches[0]!;
    };
    for (const label of SIGNING_LABELS) {
      const privateKey = byLabel(label, 'Private Key Object; EC');
      assert.equal(privateKey.fields['Usage'], 'sign');
      assert.equal(privateKey.fields['Access'], 'sensitive, always sensitive, never extractable, local');
      const publicKey = byLabel(label, 'Public Key Object; EC');
      assert.equal(publicKey.fields['Usage'], 'verify');
      assert.equal(publicKey.fields['Access'], 'local');
      assert.equal(publicKey.fields['EC_PARAMS'], P256_OID_HEX);
      assert.equal(publicKey.fields['ID'], privateKey.fields['ID']);
      assert.match(privateKey.fields['ID'] ?? '', /^[0-9a-f]{32}$/);
      const spki = states.find((state) => state.spec.label === label)?.publicKeySpkiDer;
      assert.ok(spki !== undefined);
      const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
      const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
      // CKA_EC_POINT is a DER OCTET STRING: 04 41 ‖ point.
      assert.equal(publicKey.fields['EC_POINT'], `0441${point.toString('hex')}`);
    }
    const master = byLabel(MASTER_LABEL, 'Secret Key Object; Generic secret length 32');
    assert.equal(master.fields['Access'], 'sensitive, always sensitive, never extractable, local');
    // OpenSC 0.23 prints encrypt/decrypt/verify/wrap/unwrap/derive for secret keys but never sign:
    // 'none' means none of those; CKA_SIGN itself is checked through pkcs11js above.
    assert.equal(master.fields['Usage'], 'none');
    // The seal key's own attributes are checked in hsm-seal.test.ts; here, what OpenSC sees.
    const seal = byLabel(SEAL_LABEL, 'Secret Key Object; AES length 32');
    assert.equal(seal.fields['Access'], 'sensitive, always sensitive, never extractable, local');
    assert.equal(seal.fields['Usage'], 'encrypt, decrypt');
  });
});
