import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { describe, test } from 'node:test';
import { deriveP256KeyPair, encapP256, decapP256 } from './dhkem-p256.js';
import { hpkeOpen, sealWithEphemeral } from './hpke.js';
import { baseKeySchedule } from './key-schedule.js';
import { HPKE_P256_SHA256_AES128GCM } from './suite.js';
import { p256PrivateKeyObject } from './testing/p256-key-object.js';

// RFC 9180 Appendix A.3.1: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, Base Setup
// Information and its sequence-number-0 encryption. Copied from the RFC's source text,
// draft-irtf-cfrg-hpke.md in github.com/cfrg/draft-irtf-cfrg-hpke (commit b1f7cb0c, section
// "DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM"), which carries the published values; the same
// ikmE/pkEm/pkRm appear in independent implementations' test suites. Facts (hex) only.
const A31 = {
  info: '4f6465206f6e2061204772656369616e2055726e',
  ikmE: '4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e',
  pkEm:
    '04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be' +
    '863c403ce65c9bfcb9382657222d18c4',
  skEm: '4995788ef4b9d6132b249ce59a77281493eb39af373d236a1fe415cb0c2d7beb',
  ikmR: '668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550',
  pkRm:
    '04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30a' +
    'd6aa8f80e30f1d128aafd68a2ce72ea0',
  skRm: 'f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2',
  enc:
    '04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be' +
    '863c403ce65c9bfcb9382657222d18c4',
  sharedSecret: 'c0d26aeab536609a572b07695d933b589dcf363ff9d93c93adea537aeabb8cb8',
  keyScheduleContext:
    '00b88d4e6d91759e65e87c470e8b9141113e9ad5f0c8ceefc1e088c82e6980500798e486f9c9c09c9b5c753ac72d6005de' +
    '254c607d1b534ed11d493ae1c1d9ac85',
  secret: '2eb7b6bf138f6b5aff857414a058a3f1750054a9ba1f72c2cf0684a6f20b10e1',
  key: '868c066ef58aae6dc589b6cfdd18f97e',
  baseNonce: '4e0bc5018beba4bf004cca59',
  // Encryptions, sequence number 0 (the only one a single-shot context produces).
  pt: '4265617574792069732074727574682c20747275746820626561757479',
  aad: '436f756e742d30',
  ct: '5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434',
} as const;

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const suite = HPKE_P256_SHA256_AES128GCM;

describe('RFC 9180 A.3.1 DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, mode_base', () => {
  const ephemeral = deriveP256KeyPair(hex(A31.ikmE));
  const recipient = deriveP256KeyPair(hex(A31.ikmR));

  test('DeriveKeyPair gives skEm/pkEm and skRm/pkRm', () => {
    assert.equal(toHex(ephemeral.privateKey), A31.skEm);
    assert.equal(toHex(ephemeral.publicKey), A31.pkEm);
    assert.equal(toHex(recipient.privateKey), A31.skRm);
    assert.equal(toHex(recipient.publicKey), A31.pkRm);
  });

  test('Encap and Decap give enc and shared_secret', () => {
    const { sharedSecret, enc } = encapP256(hex(A31.pkRm), ephemeral);
    assert.equal(toHex(enc), A31.enc);
    assert.equal(toHex(sharedSecret), A31.sharedSecret);
    assert.equal(toHex(decapP256(hex(A31.enc), p256PrivateKeyObject(recipient))), A31.sharedSecret);
  });

  test('KeySchedule gives key_schedule_context, secret, key and base_nonce', () => {
    const schedule = baseKeySchedule(suite, hex(A31.sharedSecret), hex(A31.info));
    assert.equal(toHex(schedule.keyScheduleContext), A31.keyScheduleContext);
    assert.equal(toHex(schedule.secret), A31.secret);
    assert.equal(toHex(schedule.key), A31.key);
    assert.equal(toHex(schedule.baseNonce), A31.baseNonce);
  });

  test('single-shot Seal gives ct, and Open gives pt back', () => {
    const input = {
      suite,
      recipientPublicKey: hex(A31.pkRm),
      info: hex(A31.info),
      aad: hex(A31.aad),
      plaintext: hex(A31.pt),
    };
    const sealed = sealWithEphemeral(input, ephemeral);
    assert.equal(toHex(sealed.enc), A31.enc);
    assert.equal(toHex(sealed.ciphertext), A31.ct);
    const opened = hpkeOpen({
      suite,
      recipientPrivateKey: p256PrivateKeyObject(recipient),
      enc: hex(A31.enc),
      info: hex(A31.info),
      aad: hex(A31.aad),
      ciphertext: hex(A31.ct),
    });
    assert.equal(toHex(opened), A31.pt);
  });

  test("the KEM's DH agrees with node's own ECDH on the vector keys", () => {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(hex(A31.skEm)));
    assert.equal(toHex(ecdh.getPublicKey()), A31.pkEm);
    const other = createECDH('prime256v1');
    other.setPrivateKey(Buffer.from(hex(A31.skRm)));
    assert.equal(toHex(ecdh.computeSecret(other.getPublicKey())), toHex(other.computeSecret(ecdh.getPublicKey())));
  });
});
