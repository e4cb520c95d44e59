import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bytesToBase64 } from '#ingrain/encoding';
import { type DerPart, DerTag, derOctetString, derSequence, encodeDer, encodePem } from '../encoding/index.js';
import { type Signer } from '../signer.js';
import { SoftwareSignerForTests } from '../testing/index.js';
import { createCaCertificate } from './ca-certificate.js';
import { deviceUrn } from './device-urn.js';
import { issueDeviceCertificate } from './device-certificate.js';
import { type CertificateCheck, CertificateVerificationError } from './errors.js';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  encodeExtension,
  keyUsageExtension,
  subjectAltNameUrisExtension,
} from './extensions.js';
import { encodeName } from './names.js';
import { type KeyUsageName, Oid } from './oids.js';
import { keyIdentifier, p256PublicKeyBits } from './spki.js';
import { encodeTbsCertificate, signTbsCertificate } from './tbs.js';
import { prepareTrustedDeviceCa } from './trusted-ca.js';
import { verifyDeviceCertificateChain } from './verify-chain.js';

const caSigner = new SoftwareSignerForTests('ca');
const device = new SoftwareSignerForTests('device');
const ca = await createCaCertificate({
  signer: caSigner,
  subjectCommonName: 'Ingrain Device CA',
  validityDays: 3650,
  notBefore: new Date('2030-01-01T00:00:00Z'),
});
const at = new Date('2031-01-01T00:00:00Z');
const notBefore = new Date('2030-06-01T00:00:00Z');
const good = await issueDeviceCertificate({
  caSigner,
  caCertificatePem: ca.pem,
  devicePublicKeySpkiDer: device.publicKeySpkiDer,
  product: 'sensor-node',
  serial: 'SN-1',
  random: randomBytes,
  notBefore,
  validityDays: 365,
});

function fails(code: string, check: CertificateCheck, which: 'device' | 'ca', run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CertificateVerificationError, String(error));
    assert.deepEqual([error.code, error.check, error.certificate], [code, check, which], error.message);
    return true;
  });
}

interface CustomOptions {
  readonly extensions?: readonly DerPart[];
  readonly subject?: { ou: string; cn: string };
  readonly signer?: Signer;
  readonly issuerCn?: string;
  readonly spkiDer?: Uint8Array;
  readonly notAfter?: Date;
}

const caKeyId = keyIdentifier(p256PublicKeyBits(caSigner.publicKeySpkiDer));
const defaultExtensions = (usages: KeyUsageName[] = ['digitalSignature']): DerPart[] => [
  basicConstraintsExtension(false),
  keyUsageExtension(usages),
  authorityKeyIdentifierExtension(caKeyId),
  subjectAltNameUrisExtension([deviceUrn('sensor-node', 'SN-1')]),
];

/** A certificate with arbitrary extensions, signed like the real issuer does (for negative tests). */
async function custom(options: CustomOptions = {}): Promise<string> {
  const subject = options.subject ?? { ou: 'sensor-node', cn: 'SN-1' };
  const tbs = encodeTbsCertificate({
    serialNumber: Uint8Array.of(1),
    issuerNameDer: encodeName([
      { oid: Oid.commonName, tag: DerTag.utf8String, value: options.issuerCn ?? 'Ingrain Device CA' },
    ]),
    notBefore,
    notAfter: options.notAfter ?? new Date('2035-01-01T00:00:00Z'),
    subjectNameDer: encodeName([
      { oid: Oid.organizationalUnitName, tag: DerTag.utf8String, value: subject.ou },
      { oid: Oid.commonName, tag: DerTag.utf8String, value: subject.cn },
    ]),
    spkiDer: options.spkiDer ?? device.publicKeySpkiDer,
    extensions: options.extensions ?? defaultExtensions(),
  });
  return encodePem('CERTIFICATE', await signTbsCertificate(tbs, options.signer ?? caSigner));
}

void describe('verifyDeviceCertificateChain', () => {
  void test('returns the facts of a good certificate, via PEM or a prepared CA', async () => {
    const facts = verifyDeviceCertificateChain(good.pem, ca.pem, { at });
    assert.deepEqual(
      { ...facts, publicKeySpkiDer: undefined },
      {
        product: 'sensor-node',
        serial: 'SN-1',
        chipUidHex: undefined,
        chipBound: false,
        publicKeySpkiDer: undefined,
        fingerprintSha256: good.fingerprintSha256,
        serialNumberHex: good.serialNumberHex,
        notBefore,
        notAfter: new Date('2031-06-01T00:00:00Z'),
        caFingerprintSha256: ca.fingerprintSha256,
      },
    );
    assert.deepEqual(verifyDeviceCertificateChain(good.pem, prepareTrustedDeviceCa(ca.pem), { at }), facts);
    assert.ok(await custom()); // the custom builder itself makes acceptable certificates:
    verifyDeviceCertificateChain(await custom(), ca.pem, { at });
  });

  void test('parse: garbage, wrong PEM label', () => {
    fails('CERT_MALFORMED', 'parse', 'device', () => verifyDeviceCertificateChain('hello', ca.pem, { at }));
    const wrongLabel = good.pem.replaceAll('CERTIFICATE', 'PUBLIC KEY');
    fails('CERT_MALFORMED', 'parse', 'device', () => verifyDeviceCertificateChain(wrongLabel, ca.pem, { at }));
    fails('CERT_MALFORMED', 'parse', 'ca', () => verifyDeviceCertificateChain(good.pem, 'nope', { at }));
  });

  void test('issuer: another CA name, or the same name with another key', async () => {
    const otherName = await custom({ issuerCn: 'Someone Else' });
    fails('CERT_ISSUER_MISMATCH', 'issuer', 'device', () => verifyDeviceCertificateChain(otherName, ca.pem, { at }));
    const impostor = new SoftwareSignerForTests('impostor');
    const impostorCa = await createCaCertificate({
      signer: impostor,
      subjectCommonName: 'Ingrain Device CA',
      validityDays: 3650,
      notBefore: new Date('2030-01-01T00:00:00Z'),
    });
    fails('CERT_ISSUER_MISMATCH', 'issuer', 'device', () =>
      verifyDeviceCertificateChain(good.pem, impostorCa.pem, { at }),
    );
  });

  void test('signature: signed by another key under the right name and key id, or tampered', async () => {
    const forged = await custom({ signer: new SoftwareSignerForTests('forger') });
    fails('CERT_SIGNATURE_INVALID', 'signature', 'device', () => verifyDeviceCertificateChain(forged, ca.pem, { at }));
    const der = Buffer.from(good.der);
    der[der.indexOf(Buffer.from('SN-1')) + 3]! ^= 0x01; // SN-1 → SN-0 in the subject CN
    const tampered = encodePem('CERTIFICATE', der);
    fails('CERT_SIGNATURE_INVALID', 'signature', 'device', () =>
      verifyDeviceCertificateChain(tampered, ca.pem, { at }),
    );
  });

  void test('validity: before, after, and an expired CA', async () => {
    fails('CERT_NOT_YET_VALID', 'validity', 'device', () =>
      verifyDeviceCertificateChain(good.pem, ca.pem, { at: new Date('2030-05-31T23:59:59Z') }),
    );
    fails('CERT_EXPIRED', 'validity', 'device', () =>
      verifyDeviceCertificateChain(good.pem, ca.pem, { at: new Date('2031-06-01T00:00:01Z') }),
    );
    const longLived = await custom({ notAfter: new Date('2045-01-01T00:00:00Z') });
    fails('CERT_EXPIRED', 'validity', 'ca', () =>
      verifyDeviceCertificateChain(longLived, ca.pem, { at: new Date('2041-01-01T00:00:00Z') }),
    );
    assert.doesNotThrow(() => verifyDeviceCertificateChain(good.pem, ca.pem, { at: notBefore }));
  });

  void test('CA flags: a device certificate claiming CA, or lacking basicConstraints; a CA that is not one', async () => {
    const [, ku, aki, san] = defaultExtensions();
    const claimsCa = await custom({ extensions: [basicConstraintsExtension(true), ku!, aki!, san!] });
    fails('CERT_CA_FLAGS_INVALID', 'ca-flags', 'device', () => verifyDeviceCertificateChain(claimsCa, ca.pem, { at }));
    const noBasic = await custom({ extensions: [ku!, aki!, san!] });
    fails('CERT_CA_FLAGS_INVALID', 'ca-flags', 'device', () => verifyDeviceCertificateChain(noBasic, ca.pem, { at }));
    fails('CERT_CA_FLAGS_INVALID', 'ca-flags', 'ca', () => verifyDeviceCertificateChain(good.pem, good.pem, { at }));
  });

  void test('key usage: missing digitalSignature, or certificate signing on a device', async () => {
    for (const usages of [
      ['keyAgreement'],
      ['digitalSignature', 'keyCertSign'],
      ['digitalSignature', 'cRLSign'],
    ] as KeyUsageName[][]) {
      const pem = await custom({ extensions: defaultExtensions(usages) });
      fails('CERT_KEY_USAGE_INVALID', 'key-usage', 'device', () => verifyDeviceCertificateChain(pem, ca.pem, { at }));
    }
    const [basic, , aki, san] = defaultExtensions();
    const noKeyUsage = await custom({ extensions: [basic!, aki!, san!] });
    fails('CERT_KEY_USAGE_INVALID', 'key-usage', 'device', () =>
      verifyDeviceCertificateChain(noKeyUsage, ca.pem, { at }),
    );
  });

  void test('profile: SAN, subject consistency, unknown critical extensions', async () => {
    const [basic, ku, aki] = defaultExtensions();
    const cases: CustomOptions[] = [
      { extensions: [basic!, ku!, aki!] },
      { extensions: [basic!, ku!, aki!, subjectAltNameUrisExtension(['https://example.com/device'])] },
      { extensions: [basic!, ku!, aki!, subjectAltNameUrisExtension([deviceUrn('a', 'b'), deviceUrn('a', 'c')])] },
      { subject: { ou: 'sensor-node', cn: 'SN-2' } },
      { subject: { ou: 'other', cn: 'SN-1' } },
      {
        extensions: [
          ...defaultExtensions(),
          encodeExtension('1.2.3.4', true, derOctetString(encodeDer(derSequence()))),
        ],
      },
    ];
    for (const options of cases) {
      const pem = await custom(options);
      fails('CERT_PROFILE_INVALID', 'profile', 'device', () => verifyDeviceCertificateChain(pem, ca.pem, { at }));
    }
    const unknownNonCritical = await custom({
      extensions: [...defaultExtensions(), encodeExtension('1.2.3.4', false, derSequence())],
    });
    assert.doesNotThrow(() => verifyDeviceCertificateChain(unknownNonCritical, ca.pem, { at }));
  });

  void test('errors name the failing check without certificate contents', () => {
    try {
      verifyDeviceCertificateChain(good.pem, ca.pem, { at: new Date('2035-01-01T00:00:00Z') });
      assert.fail('expected a failure');
    } catch (error) {
      assert.ok(error instanceof CertificateVerificationError);
      assert.match(error.message, /^device certificate: expired at 2031-06-01T00:00:00.000Z$/);
    }
  });

  void test('property: flipping any single bit of the certificate makes verification fail with a typed error', () => {
    const der = good.der;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: der.length * 8 - 1 }), (bit) => {
        const flipped = Buffer.from(der);
        flipped[bit >> 3]! ^= 0x80 >> (bit & 7);
        assert.throws(
          () =>
            verifyDeviceCertificateChain(
              `-----BEGIN CERTIFICATE-----\n${bytesToBase64(flipped)}\n-----END CERTIFICATE-----\n`,
              ca.pem,
              { at },
            ),
          CertificateVerificationError,
        );
      }),
      { numRuns: 400 },
    );
  });
});
