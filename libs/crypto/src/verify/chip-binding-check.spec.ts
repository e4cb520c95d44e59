import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { type DeviceCertificateFacts } from '../certs/index.js';
import type { VerifiedAttestation } from './attestation-port.js';
import { defaultAttestationPort } from './attestation-adapter.js';
import { BundleVerifier } from './bundle-verifier.js';
import { checkChipBinding, NOT_CHIP_BOUND_DETAIL } from './chip-binding-check.js';
import { buildFixture, type Fixture } from './testing/fixtures.js';

const UID = '0123456789abcdef01234567';
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = new Uint8Array(key.publicKey.export({ format: 'der', type: 'spki' }));
const point = Buffer.from(spki.subarray(spki.length - 65));

const certificate = (overrides: Partial<DeviceCertificateFacts> = {}): DeviceCertificateFacts => ({
  product: 'widget',
  serial: 'SN1',
  chipUidHex: UID,
  chipBound: true,
  publicKeySpkiDer: spki,
  fingerprintSha256: 'aa'.repeat(32),
  serialNumberHex: '01',
  notBefore: new Date(0),
  notAfter: new Date(1),
  caFingerprintSha256: 'bb'.repeat(32),
  ...overrides,
});

const attestation = (uidHex: string, otpDataHex?: string): VerifiedAttestation => ({
  facts: {
    deviceCertificateFingerprintSha256: 'aa'.repeat(32),
    product: 'widget',
    serial: 'SN1',
    deviceId: 'dev-1',
    chip: { family: 'stm32f4', productId: 0x413, uidHex },
    secretFields: [],
  },
  compareDeviceRead: () => ({ matches: true, differences: [], uncheckedSecretFields: [] }),
  ...(otpDataHex !== undefined && { attestedOtpDataHex: () => otpDataHex }),
});

void describe('checkChipBinding', () => {
  void test('passes when the certificate UID is the attested one, naming where OTP holds the key', () => {
    const otp = `ffff${point.toString('hex')}ff`;
    assert.deepEqual(checkChipBinding(attestation(UID, otp), certificate()), {
      check: 'chip-binding',
      status: 'passed',
      detail: `the certificate is bound to the attested chip UID ${UID}; the attested OTP holds the certificate's public key point at offset 2`,
    });
    const hashed = `00${createHash('sha256').update(point).digest('hex')}`;
    assert.match(checkChipBinding(attestation(UID, hashed), certificate()).detail, /public key SHA-256 at offset 1$/);
    assert.match(checkChipBinding(attestation(UID, 'ff'.repeat(64)), certificate()).detail, /no copy .*not compared$/);
  });

  void test('fails with the exact message when the certificate is bound to another chip', () => {
    const other = 'ffeeddccbbaa998877665544';
    assert.deepEqual(checkChipBinding(attestation(other), certificate()), {
      check: 'chip-binding',
      status: 'failed',
      code: 'VERIFY_CHIP_BINDING_MISMATCH',
      detail: `the certificate is bound to chip UID ${UID}, but the attestation is for chip UID ${other}`,
    });
  });

  void test('a certificate without the UID extension passes with the not-chip-bound warning', () => {
    const result = checkChipBinding(attestation(UID), certificate({ chipBound: false, chipUidHex: undefined }));
    assert.equal(result.status, 'passed');
    assert.equal(result.detail, NOT_CHIP_BOUND_DETAIL);
    assert.match(result.detail, /^WARNING certificate not chip-bound/);
  });

  void test('is not checked without a verified attestation or certificate', () => {
    assert.equal(checkChipBinding(undefined, certificate()).status, 'not-checked');
    assert.equal(checkChipBinding(attestation(UID), undefined).status, 'not-checked');
  });
});

void describe('BundleVerifier chip binding', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await buildFixture(2, { notChipBound: [1] });
  });

  void test('a chip-bound bundle passes; a pre-change bundle verifies with the warning', async () => {
    const verifier = new BundleVerifier(fixture.trust, defaultAttestationPort);
    const bound = verifier.verify(await fixture.bundle(0));
    assert.equal(bound.ok, true);
    assert.match(bound.checks.find((c) => c.check === 'chip-binding')?.detail ?? '', /bound to the attested chip UID/);
    const legacy = verifier.verify(await fixture.bundle(1));
    assert.equal(legacy.ok, true);
    assert.equal(legacy.checks.find((c) => c.check === 'chip-binding')?.detail, NOT_CHIP_BOUND_DETAIL);
  });
});
