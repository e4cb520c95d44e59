import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { deriveP256KeyPair, p256PublicKeyBytes, parseP256PublicKey, validateP256PublicKey } from './dhkem-p256.js';
import { HpkeError } from './errors.js';
import { hpkeOpen, hpkeSeal, type HpkeSealInput } from './hpke.js';
import { HPKE_P256_SHA256_AES128GCM, HPKE_P256_SHA256_AES256GCM, type HpkeSuite } from './suite.js';
import { p256PrivateKeyObject } from './testing/p256-key-object.js';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
const recipient = deriveP256KeyPair(new Uint8Array(32).fill(7));
const recipientKey = p256PrivateKeyObject(recipient);
const secretText = 'station secret 0123456789abcdef';

function sealInput(suite: HpkeSuite): HpkeSealInput {
  return {
    suite,
    recipientPublicKey: recipient.publicKey,
    info: bytes('info'),
    aad: bytes('aad'),
    plaintext: bytes(secretText),
  };
}

function flip(data: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(data);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

function assertCode(fn: () => unknown, code: string): HpkeError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof HpkeError, `expected HpkeError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.ok(!caught.message.includes(secretText), 'message must not carry the plaintext');
  return caught;
}

for (const suite of [HPKE_P256_SHA256_AES128GCM, HPKE_P256_SHA256_AES256GCM]) {
  describe(`hpkeSeal/hpkeOpen aead 0x000${suite.aeadId}`, () => {
    const input = sealInput(suite);
    const sealed = hpkeSeal(input);
    const open = (change: Partial<Parameters<typeof hpkeOpen>[0]> = {}): Uint8Array =>
      hpkeOpen({
        suite,
        recipientPrivateKey: recipientKey,
        enc: sealed.enc,
        info: input.info,
        aad: input.aad,
        ciphertext: sealed.ciphertext,
        ...change,
      });

    test('round-trips, with a 65-byte enc and a 16-byte tag', () => {
      assert.equal(Buffer.from(open()).toString('utf8'), secretText);
      assert.equal(sealed.enc.length, 65);
      assert.equal(sealed.ciphertext.length, input.plaintext.length + 16);
    });

    test('draws a fresh ephemeral key every time', () => {
      const again = hpkeSeal(input);
      assert.notDeepEqual(again.enc, sealed.enc);
      assert.notDeepEqual(again.ciphertext, sealed.ciphertext);
    });

    test('refuses an altered ciphertext, tag, aad, info or enc', () => {
      assertCode(() => open({ ciphertext: flip(sealed.ciphertext, 0) }), 'HPKE_OPEN_FAILED');
      assertCode(() => open({ ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) }), 'HPKE_OPEN_FAILED');
      assertCode(() => open({ ciphertext: sealed.ciphertext.subarray(0, 10) }), 'HPKE_OPEN_FAILED');
      assertCode(() => open({ aad: bytes('aae') }), 'HPKE_OPEN_FAILED');
      assertCode(() => open({ info: bytes('infp') }), 'HPKE_OPEN_FAILED');
      // Another valid point as enc: decapsulation succeeds, the AEAD does not.
      assertCode(() => open({ enc: deriveP256KeyPair(new Uint8Array(32).fill(9)).publicKey }), 'HPKE_OPEN_FAILED');
      // A flipped coordinate bit takes the point off the curve.
      assertCode(() => open({ enc: flip(sealed.enc, 64) }), 'HPKE_DECAP_FAILED');
    });

    test('refuses to open with another P-256 key', () => {
      const other = p256PrivateKeyObject(deriveP256KeyPair(new Uint8Array(32).fill(8)));
      assertCode(() => open({ recipientPrivateKey: other }), 'HPKE_OPEN_FAILED');
    });
  });
}

describe('input validation', () => {
  const input = sealInput(HPKE_P256_SHA256_AES256GCM);
  const p256Prime = 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff';

  test('public keys must be uncompressed SEC1 points on P-256', () => {
    const cases: Record<string, Uint8Array> = {
      identity: new Uint8Array([0x00]),
      compressed: new Uint8Array([0x02, ...recipient.publicKey.subarray(1, 33)]),
      'hybrid prefix': new Uint8Array([0x06, ...recipient.publicKey.subarray(1)]),
      'wrong length': recipient.publicKey.subarray(0, 64),
      'off the curve': flip(recipient.publicKey, 64),
      'zero point': new Uint8Array([0x04, ...new Uint8Array(64)]),
      'x = p': new Uint8Array([0x04, ...Buffer.from(p256Prime, 'hex'), ...recipient.publicKey.subarray(33)]),
    };
    for (const [name, key] of Object.entries(cases)) {
      const error = assertCode(() => hpkeSeal({ ...input, recipientPublicKey: key }), 'HPKE_INVALID_PUBLIC_KEY');
      assert.ok(!error.message.includes(Buffer.from(key).toString('hex')) || key.length < 2, name);
    }
    assert.equal(validateP256PublicKey(recipient.publicKey), recipient.publicKey);
  });

  test('info, aad and plaintext must be bytes, not strings', () => {
    for (const name of ['info', 'aad', 'plaintext'] as const) {
      assertCode(() => hpkeSeal({ ...input, [name]: 'text' as unknown as Uint8Array }), 'HPKE_INVALID_ARGUMENT');
    }
  });

  test('unsupported suites and non-P-256 private keys are refused', () => {
    assertCode(
      () => hpkeSeal({ ...input, suite: { ...input.suite, aeadId: 3 } as unknown as HpkeSuite }),
      'HPKE_UNSUPPORTED_SUITE',
    );
    assertCode(
      () => hpkeSeal({ ...input, suite: { ...input.suite, kemId: 0x20 } as unknown as HpkeSuite }),
      'HPKE_UNSUPPORTED_SUITE',
    );
    const sealed = hpkeSeal(input);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    assertCode(
      () => hpkeOpen({ ...input, recipientPrivateKey: p384, enc: sealed.enc, ciphertext: sealed.ciphertext }),
      'HPKE_INVALID_PRIVATE_KEY',
    );
    const publicOnly = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    assertCode(
      () => hpkeOpen({ ...input, recipientPrivateKey: publicOnly, enc: sealed.enc, ciphertext: sealed.ciphertext }),
      'HPKE_INVALID_PRIVATE_KEY',
    );
  });

  test('DeriveKeyPair wants at least 32 bytes of ikm', () => {
    assertCode(() => deriveP256KeyPair(new Uint8Array(31)), 'HPKE_INVALID_ARGUMENT');
  });

  test('public keys parse from SEC1 hex and SPKI PEM alike', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const point = p256PublicKeyBytes(publicKey);
    const pem = publicKey.export({ format: 'pem', type: 'spki' });
    assert.deepEqual(parseP256PublicKey(String(pem)), point);
    assert.deepEqual(parseP256PublicKey(Buffer.from(point).toString('hex').toUpperCase()), point);
    assertCode(() => parseP256PublicKey('04abcd'), 'HPKE_INVALID_PUBLIC_KEY');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
      format: 'pem',
      type: 'spki',
    });
    assertCode(() => parseP256PublicKey(String(p384)), 'HPKE_INVALID_PUBLIC_KEY');
  });
});
