// Device secret derivation inside SoftHSM, checked against an HMAC computed here, independently.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import {
  Hsm,
  SERVICE_KEY_LABELS,
  deriveDeviceSecretWithKey,
  ensureServiceKeys,
  loadHsmConfig,
  type DerivationContext,
} from '#ingrain/crypto';
import { createTestToken, type TestToken } from '../../testkit/softhsm.js';

// A known key, imported into this test's throwaway token only. Production masters are generated
// inside the HSM and cannot be read.
const TEST_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 0xa0 + i));
const TEST_KEY_LABEL = 'test-derivation-master';
const CONTEXT: DerivationContext = { product: 'widget-7', serial: '0042-ABCD', purpose: 'otp-aes-key' };

let token: TestToken;
let hsm: Hsm;

before(async () => {
  token = await createTestToken();
  hsm = await Hsm.open(loadHsmConfig(token.env));
  await hsm.withSession((session, module) =>
    module.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_LABEL, value: TEST_KEY_LABEL },
      { type: pkcs11js.CKA_VALUE, value: TEST_KEY },
    ]),
  );
});

after(async () => {
  await hsm?.close();
  await token?.cleanup();
});

/** SP 800-108 counter mode written out byte by byte, without the library's encoder. */
function independentDerivation(context: DerivationContext, lengthBytes: number): Buffer {
  const field = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    return Buffer.concat([Buffer.of(bytes.length), bytes]);
  };
  const contextBytes = Buffer.concat([field(context.product), field(context.serial), field(context.purpose)]);
  const lengthBits = Buffer.alloc(4);
  lengthBits.writeUInt32BE(lengthBytes * 8);
  const blocks: Buffer[] = [];
  for (let i = 1; blocks.length * 32 < lengthBytes; i += 1) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    const input = Buffer.concat([
      counter,
      Buffer.from('ingrain/device-secret/v1'),
      Buffer.of(0),
      contextBytes,
      lengthBits,
    ]);
    blocks.push(createHmac('sha256', TEST_KEY).update(input).digest());
  }
  return Buffer.concat(blocks).subarray(0, lengthBytes);
}

void describe('deriveDeviceSecret', () => {
  void test('matches an independent HMAC-SHA256 computation with the imported test key', async () => {
    for (const lengthBytes of [1, 16, 32, 33, 64, 100]) {
      const derived = await hsm.deriveDeviceSecret(TEST_KEY_LABEL, CONTEXT, lengthBytes);
      assert.equal(Buffer.from(derived).toString('hex'), independentDerivation(CONTEXT, lengthBytes).toString('hex'));
    }
  });

  void test('matches the library reference implementation (what auditors run)', async () => {
    const derived = await hsm.deriveDeviceSecret(TEST_KEY_LABEL, CONTEXT, 48);
    assert.deepEqual(derived, await deriveDeviceSecretWithKey(TEST_KEY, CONTEXT, 48));
  });

  void test('is deterministic', async () => {
    const first = await hsm.deriveDeviceSecret(TEST_KEY_LABEL, CONTEXT, 32);
    const again = await Promise.all([1, 2, 3].map(() => hsm.deriveDeviceSecret(TEST_KEY_LABEL, CONTEXT, 32)));
    for (const value of again) assert.deepEqual(value, first);
  });

  void test('separates contexts: each field, field boundaries and the length change the secret', async () => {
    const variants: DerivationContext[] = [
      CONTEXT,
      { ...CONTEXT, product: 'widget-8' },
      { ...CONTEXT, serial: '0042-ABCE' },
      { ...CONTEXT, purpose: 'otp-hmac-key' },
      { product: 'widget-70', serial: '042-ABCD', purpose: 'otp-aes-key' }, // same concatenation
      { product: CONTEXT.serial, serial: CONTEXT.product, purpose: CONTEXT.purpose },
    ];
    const outputs = await Promise.all(variants.map((context) => hsm.deriveDeviceSecret(TEST_KEY_LABEL, context, 32)));
    const distinct = new Set(outputs.map((output) => Buffer.from(output).toString('hex')));
    assert.equal(distinct.size, variants.length);
    const shorter = await hsm.deriveDeviceSecret(TEST_KEY_LABEL, CONTEXT, 16);
    assert.notDeepEqual(shorter, outputs[0]?.subarray(0, 16));
  });

  void test('refuses bad input before touching the token', async () => {
    await assert.rejects(hsm.deriveDeviceSecret(TEST_KEY_LABEL, { ...CONTEXT, serial: '' }, 32), {
      code: 'HSM_INVALID_ARGUMENT',
    });
    await assert.rejects(hsm.deriveDeviceSecret(TEST_KEY_LABEL, CONTEXT, 0), { code: 'HSM_INVALID_ARGUMENT' });
    await assert.rejects(hsm.deriveDeviceSecret('no-such-master', CONTEXT, 32), { code: 'HSM_KEY_NOT_FOUND' });
  });

  void test('with the generated service master: re-derivable after a restart, and the master cannot be read', async () => {
    await ensureServiceKeys(hsm);
    const label = SERVICE_KEY_LABELS.derivationMaster;
    const first = await hsm.deriveDeviceSecret(label, CONTEXT, 32);
    const other = await Hsm.open(loadHsmConfig(token.env), { probe: false });
    try {
      assert.deepEqual(await other.deriveDeviceSecret(label, CONTEXT, 32), first);
    } finally {
      await other.close();
    }
    assert.notDeepEqual(first, await hsm.deriveDeviceSecret(TEST_KEY_LABEL, CONTEXT, 32));
    const readable = await hsm.withSession((session, module) => {
      module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
      const handle = module.C_FindObjects(session);
      module.C_FindObjectsFinal(session);
      assert.ok(handle !== null);
      try {
        module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]);
        return true;
      } catch (error) {
        assert.match(String(error), /CKR_ATTRIBUTE_SENSITIVE/);
        return false;
      }
    });
    assert.equal(readable, false);
  });
});
