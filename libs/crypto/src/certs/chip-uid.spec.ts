import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { EncodingError } from '#ingrain/encoding';
import { decodeDerObjectIdentifier, derObjectIdentifier, encodeDer, parseDer } from '../encoding/index.js';
import { SoftwareSignerForTests } from '../testing/index.js';
import { createCaCertificate } from './ca-certificate.js';
import { parseCertificate } from './certificate-parser.js';
import { chipUidExtension, decodeChipUidExtension } from './chip-uid.js';
import { deviceSubject, issueDeviceCertificate } from './device-certificate.js';
import { basicConstraintsExtension, keyUsageExtension, subjectAltNameUrisExtension } from './extensions.js';
import { prepareDeviceCertificateIssuer } from './issuer.js';
import { encodeTbsCertificate, signTbsCertificate } from './tbs.js';
import { CertificateVerificationError } from './errors.js';
import { Oid } from './oids.js';
import { verifyDeviceCertificateChain } from './verify-chain.js';

// The test vector of docs/certificates.md ("Chip binding"): UID 0123456789abcdef01234567.
const UID = '0123456789abcdef01234567';
const EXTENSION_DER_HEX = '302706156983f9bb80aac69eb28bf5a38796c1bbd1fcd86201040e040c0123456789abcdef01234567';
const SUBJECT_RDN_DER_HEX =
  '3133303106156983f9bb80aac69eb28bf5a38796c1bbd1fcd862021318303132333435363738396162636465663031323334353637';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

void describe('chip UID extension (DER)', () => {
  void test('encodes exactly the documented test vector', () => {
    assert.equal(hex(encodeDer(chipUidExtension(UID))), EXTENSION_DER_HEX);
    assert.equal(hex(encodeDer(chipUidExtension(UID.toUpperCase()))), EXTENSION_DER_HEX);
  });

  void test('the subject ends with the documented chipUid RDN', () => {
    const subject = hex(encodeDer(deviceSubject('sensor-node', 'SN-000123', UID)));
    assert.ok(subject.endsWith(SUBJECT_RDN_DER_HEX), subject);
    const legacy = hex(encodeDer(deviceSubject('sensor-node', 'SN-000123')));
    assert.ok(!legacy.includes('6983f9bb80aac69eb28bf5a38796c1bbd1fcd862'));
  });

  void test('decodes the extnValue contents back to lowercase hex', () => {
    const extnValueContents = Buffer.from('040c0123456789abcdef01234567', 'hex');
    assert.equal(decodeChipUidExtension(extnValueContents), UID);
  });

  void test('refuses anything but one OCTET STRING of 1-32 bytes', () => {
    for (const bad of [
      '0400',
      '0c0c303132333435363738393031',
      '040c0123456789abcdef0123456700',
      `0421${'11'.repeat(33)}`,
    ]) {
      assert.throws(() => decodeChipUidExtension(Buffer.from(bad, 'hex')), EncodingError, bad);
    }
  });

  void test('OIDs with arcs above 2^53 round-trip through the DER writer and reader; above 160 bits are refused', () => {
    for (const oid of [Oid.chipUidExtension, Oid.chipUidAttribute, '2.25.9007199254740992', '1.2.840.10045.4.3.2']) {
      assert.equal(decodeDerObjectIdentifier(parseDer(derObjectIdentifier(oid)), 'oid'), oid);
    }
    const huge = derObjectIdentifier(`2.25.${(1n << 161n).toString()}`);
    assert.throws(() => decodeDerObjectIdentifier(parseDer(huge), 'oid'), /oversized arc/);
  });

  void test('the OID is the documented 2.25 UUID arc', () => {
    assert.equal(Oid.chipUidExtension, `${Oid.ingrainArc}.1`);
    assert.equal(BigInt(Oid.ingrainArc.slice('2.25.'.length)).toString(16), 'fcbb00aa31e642faa30e5a0bba3f2c62');
  });
});

const caSigner = new SoftwareSignerForTests('ingrain-device-ca');
const device = new SoftwareSignerForTests('device');
const ca = await createCaCertificate({
  signer: caSigner,
  subjectCommonName: 'Ingrain Device CA',
  validityDays: 7300,
  notBefore: new Date('2030-01-01T00:00:00Z'),
});
const base = {
  caSigner,
  caCertificatePem: ca.pem,
  devicePublicKeySpkiDer: device.publicKeySpkiDer,
  product: 'sensor-node',
  serial: 'SN-000123',
  random: (n: number) => randomBytes(n),
  notBefore: new Date('2031-06-01T12:00:00Z'),
  validityDays: 3650,
};
const at = new Date('2032-01-01T00:00:00Z');

void describe('chip-bound device certificate', () => {
  void test('carries the UID in the extension (non-critical) and the subject; verification reports it bound', async () => {
    const issued = await issueDeviceCertificate({ ...base, chipUidHex: UID });
    const parsed = parseCertificate(issued.der);
    const extension = parsed.extensions.get(Oid.chipUidExtension);
    assert.equal(extension?.critical, false);
    assert.equal(hex(extension.valueDer), '040c0123456789abcdef01234567');
    assert.ok(hex(issued.der).includes(EXTENSION_DER_HEX));
    assert.ok(hex(parsed.subjectDer).endsWith(SUBJECT_RDN_DER_HEX));
    assert.ok(new X509Certificate(issued.der).verify(caSigner.publicKey));
    const facts = verifyDeviceCertificateChain(issued.pem, ca.pem, { at });
    assert.equal(facts.chipUidHex, UID);
    assert.equal(facts.chipBound, true);
  });

  void test('a certificate without a UID verifies as not chip-bound', async () => {
    const issued = await issueDeviceCertificate(base);
    const facts = verifyDeviceCertificateChain(issued.pem, ca.pem, { at });
    assert.equal(facts.chipUidHex, undefined);
    assert.equal(facts.chipBound, false);
  });

  void test('refuses issuance with a malformed UID', async () => {
    await assert.rejects(issueDeviceCertificate({ ...base, chipUidHex: '0g' }), /chipUidHex/);
  });

  const forged = async (subjectUid: string | undefined, extensionUid: string | undefined, uriUid?: string) => {
    const issuer = prepareDeviceCertificateIssuer(caSigner, ca.pem);
    const uris = ['urn:ingrain:device:sensor-node:SN-000123', ...(uriUid ? [`urn:ingrain:chip-uid:${uriUid}`] : [])];
    const tbs = encodeTbsCertificate({
      serialNumber: Uint8Array.of(0x42),
      issuerNameDer: issuer.issuerNameDer,
      notBefore: base.notBefore,
      notAfter: new Date('2041-01-01T00:00:00Z'),
      subjectNameDer: deviceSubject('sensor-node', 'SN-000123', subjectUid),
      spkiDer: device.publicKeySpkiDer,
      extensions: [
        encodeDer(basicConstraintsExtension(false)),
        encodeDer(keyUsageExtension(['digitalSignature'])),
        issuer.authorityKeyIdentifierExtensionDer,
        subjectAltNameUrisExtension(uris),
        ...(extensionUid === undefined ? [] : [chipUidExtension(extensionUid)]),
      ],
    });
    const der = await signTbsCertificate(tbs, caSigner);
    return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
  };
  const profile = (message: RegExp) => (error: unknown) =>
    error instanceof CertificateVerificationError &&
    error.code === 'CERT_PROFILE_INVALID' &&
    message.test(error.message);

  void test('the verifier refuses a subject UID without the extension, and any disagreement', async () => {
    const other = 'ffeeddccbbaa998877665544';
    const verify = (pem: string) => () => verifyDeviceCertificateChain(pem, ca.pem, { at });
    assert.throws(verify(await forged(UID, undefined)), profile(/chip UID extension is missing/));
    assert.throws(verify(await forged(other, UID)), profile(/extension and subject chipUid attribute differ/));
    assert.throws(verify(await forged(UID, UID, other)), profile(/extension and urn:ingrain:chip-uid URI differ/));
    assert.equal(verifyDeviceCertificateChain(await forged(UID, UID), ca.pem, { at }).chipBound, true);
  });
});
