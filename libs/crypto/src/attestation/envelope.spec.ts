import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { strictCanonicalJsonBytes } from '#ingrain/encoding';
import { p1363ToDer } from '../encoding/index.js';
import { type Signer } from '../signer.js';
import { sampleDeviceForTests, SoftwareSignerForTests } from '../testing/index.js';
import { buildAttestation } from './build.js';
import { canonicalAttestationBytes } from './canonical.js';
import { type DsseEnvelope, dssePreAuthenticationEncoding } from './dsse.js';
import { AttestationError } from './errors.js';
import { ATTESTATION_PAYLOAD_TYPE } from './format.js';
import { attestationLeafBytes, serializeAttestationEnvelope } from './leaf.js';
import { attestationKeyId } from './public-keys.js';
import { signAttestation } from './sign.js';
import {
  verifyAttestationEnvelope,
  verifyAttestationEnvelopeSignature,
  verifyAttestationEnvelopeWithLeaf,
} from './verify.js';

const hasCode = (code: string) => (error: unknown) => error instanceof AttestationError && error.code === code;
const signer = new SoftwareSignerForTests('ingrain-attestation');
const attestation = buildAttestation(sampleDeviceForTests().input);
const envelope = await signAttestation(attestation, signer);
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Signs arbitrary payload bytes the way signAttestation does (to test what verification refuses). */
async function envelopeFor(payload: Uint8Array, payloadType = ATTESTATION_PAYLOAD_TYPE): Promise<DsseEnvelope> {
  const sig = p1363ToDer(await signer.sign(dssePreAuthenticationEncoding(payloadType, payload)));
  return {
    payloadType,
    payload: b64(payload),
    signatures: [{ keyid: attestationKeyId(signer.publicKeySpkiDer), sig: b64(sig) }],
  };
}

void describe('DSSE envelope', () => {
  void test('PAE is the DSSE v1 byte string', () => {
    const pae = dssePreAuthenticationEncoding(ATTESTATION_PAYLOAD_TYPE, Buffer.from('hello'));
    assert.equal(Buffer.from(pae).toString('latin1'), 'DSSEv1 43 application/vnd.ingrain.attestation.v1+json 5 hello');
    assert.equal(Buffer.from(dssePreAuthenticationEncoding('', new Uint8Array(0))).toString(), 'DSSEv1 0  0 ');
  });

  void test('signAttestation: canonical payload, DER signature over PAE, keyid = SHA-256(SPKI)', async () => {
    assert.equal(envelope.payloadType, ATTESTATION_PAYLOAD_TYPE);
    assert.deepEqual(Buffer.from(envelope.payload, 'base64'), Buffer.from(canonicalAttestationBytes(attestation)));
    assert.equal(envelope.signatures.length, 1);
    assert.equal(envelope.signatures[0]!.keyid, createHash('sha256').update(signer.publicKeySpkiDer).digest('hex'));
    const { verify } = await import('node:crypto');
    const pae = dssePreAuthenticationEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
    assert.ok(verify('sha256', pae, signer.publicKey, Buffer.from(envelope.signatures[0]!.sig, 'base64')));
  });

  void test('verifyAttestationEnvelope round-trips (SPKI bytes or KeyObject, JSON text round trip)', () => {
    assert.deepEqual(verifyAttestationEnvelope(envelope, signer.publicKeySpkiDer), attestation);
    assert.deepEqual(verifyAttestationEnvelope(envelope, signer.publicKey), attestation);
    assert.deepEqual(
      verifyAttestationEnvelope(JSON.parse(JSON.stringify(envelope)), signer.publicKeySpkiDer),
      attestation,
    );
  });

  void test('follows DSSE parsing rules: unknown fields ignored, keyid optional, URL-safe base64 accepted', () => {
    const [signature] = envelope.signatures;
    const variants: unknown[] = [
      { ...envelope, extra: 'ignored' },
      { ...envelope, signatures: [{ sig: signature!.sig }] },
      { ...envelope, signatures: [{ keyid: 'someone-else', sig: signature!.sig }, signature] },
      { ...envelope, payload: Buffer.from(envelope.payload, 'base64').toString('base64url') },
    ];
    for (const variant of variants)
      assert.deepEqual(verifyAttestationEnvelope(variant, signer.publicKeySpkiDer), attestation);
  });

  void test('refuses another key, a foreign keyid, and malformed envelopes', () => {
    const other = new SoftwareSignerForTests('other');
    assert.throws(
      () => verifyAttestationEnvelope(envelope, other.publicKeySpkiDer),
      hasCode('ATTESTATION_SIGNATURE_INVALID'),
    );
    const foreign = { ...envelope, signatures: [{ ...envelope.signatures[0]!, keyid: 'x' }] };
    assert.throws(
      () => verifyAttestationEnvelope(foreign, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_SIGNATURE_INVALID'),
    );
    const malformed: unknown[] = [
      null,
      [],
      'text',
      { ...envelope, signatures: [] },
      { ...envelope, payload: 42 },
      { ...envelope, payload: `${envelope.payload}\n` },
      { ...envelope, signatures: [{ keyid: 1, sig: 'AA==' }] },
    ];
    for (const value of malformed)
      assert.throws(() => verifyAttestationEnvelope(value, signer.publicKeySpkiDer), hasCode('ATTESTATION_MALFORMED'));
    assert.throws(
      () => verifyAttestationEnvelope(envelope, Uint8Array.of(1, 2, 3)),
      hasCode('ATTESTATION_INPUT_INVALID'),
    );
  });

  void test('refuses other versions: by payloadType and by formatVersion', async () => {
    const v2Type = { ...envelope, payloadType: 'application/vnd.ingrain.attestation.v2+json' };
    assert.throws(
      () => verifyAttestationEnvelope(v2Type, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_UNSUPPORTED_VERSION'),
    );
    const otherType = { ...envelope, payloadType: 'application/vnd.in-toto+json' };
    assert.throws(
      () => verifyAttestationEnvelope(otherType, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_MALFORMED'),
    );
    const v2Payload = await envelopeFor(strictCanonicalJsonBytes({ ...attestation, formatVersion: 2 }));
    assert.throws(
      () => verifyAttestationEnvelope(v2Payload, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_UNSUPPORTED_VERSION'),
    );
  });

  void test('refuses correctly signed payloads that are not canonical, not JSON, or carry secrets', async () => {
    const pretty = await envelopeFor(Buffer.from(JSON.stringify(attestation, null, 2)));
    assert.throws(() => verifyAttestationEnvelope(pretty, signer.publicKeySpkiDer), hasCode('ATTESTATION_MALFORMED'));
    const canonicalText = Buffer.from(canonicalAttestationBytes(attestation)).toString();
    const duplicateKey = await envelopeFor(
      Buffer.from(canonicalText.replace('{"attestedAt"', '{"attestedAt":"x","attestedAt"')),
    );
    assert.throws(
      () => verifyAttestationEnvelope(duplicateKey, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_MALFORMED'),
    );
    const notUtf8 = await envelopeFor(Uint8Array.of(0xff, 0xfe));
    assert.throws(() => verifyAttestationEnvelope(notUtf8, signer.publicKeySpkiDer), hasCode('ATTESTATION_MALFORMED'));
    const device = sampleDeviceForTests();
    const leaky = {
      ...attestation,
      otp: {
        ...attestation.otp,
        dataHex: Buffer.from(device.rawData).toString('hex'),
        dataSha256: createHash('sha256').update(device.rawData).digest('hex'),
      },
    };
    const leakyEnvelope = await envelopeFor(strictCanonicalJsonBytes(leaky));
    assert.throws(
      () => verifyAttestationEnvelope(leakyEnvelope, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_SECRET_BYTES_PRESENT'),
    );
    await assert.rejects(signAttestation(leaky, signer), hasCode('ATTESTATION_SECRET_BYTES_PRESENT'));
  });

  void test('verifyAttestationEnvelopeSignature: the leaf bytes of an envelope the key signed; the payload is not re-checked', async () => {
    assert.deepEqual(
      Buffer.from(verifyAttestationEnvelopeSignature(envelope, signer.publicKeySpkiDer)),
      Buffer.from(attestationLeafBytes(envelope)),
    );
    const other = new SoftwareSignerForTests('ingrain-attestation');
    assert.throws(
      () => verifyAttestationEnvelopeSignature(envelope, other.publicKeySpkiDer),
      hasCode('ATTESTATION_SIGNATURE_INVALID'),
    );
    const tampered = { ...envelope, payload: b64(Buffer.from('{"formatVersion":1}')) };
    assert.throws(
      () => verifyAttestationEnvelopeSignature(tampered, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_SIGNATURE_INVALID'),
    );
    assert.throws(
      () => verifyAttestationEnvelopeSignature({}, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_MALFORMED'),
    );
    const otherType = await envelopeFor(Buffer.from('{}'), 'application/vnd.ingrain.attestation.v2+json');
    assert.throws(
      () => verifyAttestationEnvelopeSignature(otherType, signer.publicKeySpkiDer),
      hasCode('ATTESTATION_UNSUPPORTED_VERSION'),
    );
    // What it leaves to the full verification: a signed payload that is not an attestation.
    const notAnAttestation = await envelopeFor(Buffer.from('{"a":1}'));
    assert.equal(verifyAttestationEnvelopeSignature(notAnAttestation, signer.publicKeySpkiDer).length > 0, true);
    assert.throws(() => verifyAttestationEnvelope(notAnAttestation, signer.publicKeySpkiDer), AttestationError);
  });

  void test('signAttestation refuses a signer whose signature does not verify or is malformed', async () => {
    const other = new SoftwareSignerForTests('other');
    const lying: Signer = { label: 'lying', publicKeySpkiDer: signer.publicKeySpkiDer, sign: (m) => other.sign(m) };
    await assert.rejects(signAttestation(attestation, lying), hasCode('ATTESTATION_SIGNING_FAILED'));
    const short: Signer = {
      label: 'short',
      publicKeySpkiDer: signer.publicKeySpkiDer,
      sign: () => Promise.resolve(new Uint8Array(10)),
    };
    await assert.rejects(signAttestation(attestation, short), hasCode('ATTESTATION_SIGNING_FAILED'));
  });

  void test('property: flipping any single bit of the payload or the signature makes verification fail', () => {
    const payload = Buffer.from(envelope.payload, 'base64');
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    const flip = (bytes: Buffer, bit: number): Buffer => {
      const copy = Buffer.from(bytes);
      copy[bit >> 3]! ^= 0x80 >> (bit & 7);
      return copy;
    };
    const refused = (candidate: unknown): void => {
      assert.throws(() => verifyAttestationEnvelope(candidate, signer.publicKeySpkiDer), AttestationError);
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: payload.length * 8 - 1 }), (bit) => {
        refused({ ...envelope, payload: flip(payload, bit).toString('base64') });
      }),
      { numRuns: 1000 },
    );
    for (let bit = 0; bit < sig.length * 8; bit++) {
      refused({ ...envelope, signatures: [{ ...envelope.signatures[0]!, sig: flip(sig, bit).toString('base64') }] });
    }
    // Flips in the base64 text itself (including the pad bits of the last character).
    const texts = [envelope.payload, envelope.signatures[0]!.sig];
    texts.forEach((text, which) => {
      const encoded = Buffer.from(text, 'latin1');
      const positions =
        which === 0 ? [0, 1, encoded.length - 3, encoded.length - 2, encoded.length - 1] : [...encoded.keys()];
      for (const position of positions) {
        for (let bit = 0; bit < 8; bit++) {
          const changed = flip(encoded, position * 8 + bit).toString('latin1');
          refused(
            which === 0
              ? { ...envelope, payload: changed }
              : { ...envelope, signatures: [{ ...envelope.signatures[0]!, sig: changed }] },
          );
        }
      }
    });
  });
});

void describe('attestation leaf bytes', () => {
  void test('are the JCS of the envelope in normal form, independent of JSON formatting and base64 alphabet', () => {
    const leaf = attestationLeafBytes(envelope);
    assert.equal(Buffer.from(leaf).toString(), serializeAttestationEnvelope(envelope));
    assert.equal(
      Buffer.from(leaf).toString(),
      `{"payload":"${envelope.payload}","payloadType":"${ATTESTATION_PAYLOAD_TYPE}","signatures":[{"keyid":"${envelope.signatures[0]!.keyid}","sig":"${envelope.signatures[0]!.sig}"}]}`,
    );
    const reformatted = JSON.parse(
      JSON.stringify({
        signatures: envelope.signatures,
        payload: Buffer.from(envelope.payload, 'base64').toString('base64url'),
        payloadType: envelope.payloadType,
        note: 'x',
      }),
    ) as unknown;
    assert.deepEqual(attestationLeafBytes(reformatted), leaf);
  });

  void test('change with any signed content and refuse malformed envelopes', async () => {
    const other = await signAttestation({ ...attestation, jobId: 'job-43' }, signer);
    assert.notDeepEqual(attestationLeafBytes(other), attestationLeafBytes(envelope));
    assert.throws(() => attestationLeafBytes({ payload: 'AA==' }), hasCode('ATTESTATION_MALFORMED'));
  });
});

void describe('verifyAttestationEnvelopeWithLeaf', () => {
  const urlSafe = { ...envelope, payload: Buffer.from(envelope.payload, 'base64').toString('base64url') };
  const unpaddedSig = Buffer.from(envelope.signatures[0]!.sig, 'base64').toString('base64url');
  const variants: unknown[] = [
    envelope,
    urlSafe,
    { ...envelope, note: 'ignored', signatures: [{ sig: unpaddedSig }] },
    JSON.parse(JSON.stringify(envelope)),
  ];

  void test('returns what verifyAttestationEnvelope returns and exactly attestationLeafBytes of the envelope', () => {
    for (const variant of variants) {
      const verified = verifyAttestationEnvelopeWithLeaf(variant, signer.publicKeySpkiDer);
      assert.deepEqual(verified.attestation, verifyAttestationEnvelope(variant, signer.publicKeySpkiDer));
      assert.deepEqual(verified.leafBytes(), attestationLeafBytes(variant));
      assert.equal(verified.leafBytes(), verified.leafBytes(), 'computed once');
    }
  });

  void test('refuses exactly what verifyAttestationEnvelope refuses, with the same code', () => {
    const other = new SoftwareSignerForTests('other');
    const cases: [unknown, Uint8Array][] = [
      [envelope, other.publicKeySpkiDer],
      [{ ...envelope, payload: `${envelope.payload}\n` }, signer.publicKeySpkiDer],
      [{ ...envelope, payloadType: 'application/json' }, signer.publicKeySpkiDer],
      [{ ...envelope, signatures: [] }, signer.publicKeySpkiDer],
      [envelope, Uint8Array.of(1, 2, 3)],
    ];
    for (const [value, key] of cases) {
      let expected: unknown;
      assert.throws(
        () => verifyAttestationEnvelope(value, key),
        (error) => (expected = error) !== undefined,
      );
      assert.throws(
        () => verifyAttestationEnvelopeWithLeaf(value, key),
        (error) => error instanceof AttestationError && error.code === (expected as AttestationError).code,
      );
    }
  });
});
