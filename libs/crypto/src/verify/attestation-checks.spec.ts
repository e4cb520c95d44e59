import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeviceCertificateFacts } from '../certs/index.js';
import { checkCertificateBinding, checkDeviceRead } from './attestation-checks.js';
import type { AttestationFacts, VerifiedAttestation } from './attestation-port.js';

const FINGERPRINT = 'ab'.repeat(32);
const UID = '0a0b0c0d0e0f101112131415';

const facts: AttestationFacts = {
  deviceCertificateFingerprintSha256: FINGERPRINT,
  product: 'widget',
  serial: 'SN1',
  deviceId: 'dev-1',
  chip: { family: 'stm32f4', productId: 0x413, uidHex: UID },
  secretFields: [],
};

const attestation = (overrides: Partial<AttestationFacts> = {}): VerifiedAttestation => ({
  facts: { ...facts, ...overrides },
  compareDeviceRead: () => ({ matches: true, differences: [], uncheckedSecretFields: [] }),
});

const certificate = (overrides: Partial<DeviceCertificateFacts> = {}): DeviceCertificateFacts => ({
  product: 'widget',
  serial: 'SN1',
  chipUidHex: UID,
  chipBound: true,
  publicKeySpkiDer: new Uint8Array(),
  fingerprintSha256: FINGERPRINT,
  serialNumberHex: '01',
  notBefore: new Date(0),
  notAfter: new Date(1),
  caFingerprintSha256: 'cd'.repeat(32),
  ...overrides,
});

void describe('certificate-binding and device-read messages name what differs', () => {
  void test('each mismatch is named with both values', () => {
    const result = checkCertificateBinding(
      attestation(),
      certificate({ product: 'gadget', serial: 'SN2', chipUidHex: 'ff'.repeat(12) }),
    );
    assert.equal(result.code, 'VERIFY_CERTIFICATE_MISMATCH');
    assert.equal(
      result.detail,
      'the attestation says product widget, the certificate gadget; the attestation says serial SN1, the certificate SN2; ' +
        `the attestation says chip UID ${UID}, the certificate ${'ff'.repeat(12)}`,
    );
  });

  void test('a certificate without a chip UID passes and says who vouches for the chip', () => {
    const bound = checkCertificateBinding(attestation(), certificate());
    assert.equal(bound.detail, 'the attestation names this certificate, product, serial and chip UID');
    const unbound = checkCertificateBinding(attestation(), certificate({ chipUidHex: undefined }));
    assert.equal(unbound.status, 'passed');
    assert.match(unbound.detail, /the certificate carries no chip UID: only the attestation key vouches for the chip/);
  });

  void test('device read: product ID and chip UID with both values', () => {
    const read = {
      family: 'stm32f4',
      productId: 0x419,
      uid: new Uint8Array(Buffer.from('ee'.repeat(12), 'hex')),
      otpData: new Uint8Array(),
      redactedOffsets: [],
      lockBytes: new Uint8Array(),
    };
    const result = checkDeviceRead(read, attestation());
    assert.equal(result.code, 'VERIFY_DEVICE_READ_MISMATCH');
    assert.equal(
      result.detail,
      `chip product ID 0x419 is not the attested 0x413; chip UID ${'ee'.repeat(12)} is not the attested ${UID}: this is another chip`,
    );
  });
});
