import 'reflect-metadata'; // @peculiar/x509 (used here as an independent parser) needs it
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import fc from 'fast-check';
import { type Signer } from '../signer.js';
import { SoftwareSignerForTests } from '../testing/index.js';
import { createCaCertificate } from './ca-certificate.js';
import { issueDeviceCertificate } from './device-certificate.js';
import { CertificateError } from './errors.js';
import { prepareDeviceCertificateIssuer } from './issuer.js';
import { pooledRandomSource } from './serial-number.js';
import { verifyDeviceCertificateChain } from './verify-chain.js';

const hasCode = (code: string) => (error: unknown) => error instanceof CertificateError && error.code === code;
const caSigner = new SoftwareSignerForTests('ingrain-device-ca');
const device = new SoftwareSignerForTests('device');
const caNotBefore = new Date('2030-01-01T00:00:00Z');
const ca = await createCaCertificate({
  signer: caSigner,
  subjectCommonName: 'Ingrain Device CA',
  organization: 'Acme',
  validityDays: 7300,
  notBefore: caNotBefore,
});
const notBefore = new Date('2031-06-01T12:00:00.250Z');

const base = {
  caSigner,
  caCertificatePem: ca.pem,
  devicePublicKeySpkiDer: device.publicKeySpkiDer,
  product: 'sensor-node',
  serial: 'SN-000123',
  chipUidHex: '0123456789ABCDEF01234567',
  random: (n: number) => randomBytes(n),
  notBefore,
  validityDays: 3650,
};

void describe('issueDeviceCertificate', () => {
  void test('OpenSSL (node:crypto) sees the promised subject, SAN, flags, key and issuer', async () => {
    const issued = await issueDeviceCertificate(base);
    const cert = new X509Certificate(issued.der);
    const caCert = new X509Certificate(ca.der);
    assert.equal(
      cert.subject,
      'OU=sensor-node\nCN=SN-000123\nserialNumber=SN-000123\n' +
        '2.25.335936427934575574882612561292623293538.2=0123456789abcdef01234567',
    );
    assert.equal(cert.issuer, caCert.subject);
    assert.equal(
      cert.subjectAltName,
      'URI:urn:ingrain:device:sensor-node:SN-000123, URI:urn:ingrain:chip-uid:0123456789abcdef01234567',
    );
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.verify(caSigner.publicKey));
    assert.ok(cert.publicKey.equals(device.publicKey));
    assert.equal(new Date(cert.validFrom).toISOString(), '2031-06-01T12:00:00.000Z');
    assert.equal(new Date(cert.validTo).toISOString(), '2041-05-29T12:00:00.000Z');
    assert.equal(issued.fingerprintSha256, createHash('sha256').update(issued.der).digest('hex'));
  });

  void test('an independent ASN.1 parser sees exactly the promised extensions', async () => {
    const cert = new x509.X509Certificate((await issueDeviceCertificate(base)).pem);
    const caCert = new x509.X509Certificate(ca.pem);
    assert.deepEqual(
      [...cert.extensions].map((e) => [e.type, e.critical]),
      [
        ['2.5.29.19', true],
        ['2.5.29.15', true],
        ['2.5.29.14', false],
        ['2.5.29.35', false],
        ['2.5.29.17', false],
        // The chip UID extension, 2.25.335936427934575574882612561292623293538.1: asn1js (under
        // @peculiar/x509) cannot decode arcs above 2^53 and shows it as '2.25'; OpenSSL shows it whole.
        ['2.25', false],
      ],
    );
    assert.equal(cert.getExtension(x509.BasicConstraintsExtension)!.ca, false);
    assert.equal(
      cert.getExtension(x509.KeyUsagesExtension)!.usages,
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
    );
    const spki = Buffer.from(device.publicKeySpkiDer);
    const expectedSki = createHash('sha256')
      .update(spki.subarray(spki.length - 65))
      .digest('hex')
      .slice(0, 40);
    assert.equal(cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId, expectedSki);
    assert.equal(
      cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId,
      caCert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId,
    );
    const uris = cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => [n.type, n.value]);
    assert.deepEqual(uris, [
      ['url', 'urn:ingrain:device:sensor-node:SN-000123'],
      ['url', 'urn:ingrain:chip-uid:0123456789abcdef01234567'],
    ]);
    assert.deepEqual(cert.signatureAlgorithm, { name: 'ECDSA', hash: { name: 'SHA-256' } });
  });

  void test('without a chip UID there is a single SAN URI', async () => {
    const { chipUidHex: _, ...noUid } = base;
    const cert = new X509Certificate((await issueDeviceCertificate(noUid)).der);
    assert.equal(cert.subjectAltName, 'URI:urn:ingrain:device:sensor-node:SN-000123');
  });

  void test('serial numbers: 16 random bytes with the sign bit cleared, leading zeros dropped', async () => {
    const issued = await issueDeviceCertificate({ ...base, random: (n) => new Uint8Array(n).fill(0x80) });
    assert.equal(issued.serialNumberHex, `${'80'.repeat(15)}`);
    assert.equal(new X509Certificate(issued.der).serialNumber, '80'.repeat(15));
    const pooled = pooledRandomSource(64);
    const serials = new Set<string>();
    for (let i = 0; i < 10; i++)
      serials.add((await issueDeviceCertificate({ ...base, random: pooled })).serialNumberHex);
    assert.equal(serials.size, 10);
    await assert.rejects(
      issueDeviceCertificate({ ...base, random: (n) => new Uint8Array(n - 8) }),
      hasCode('CERT_INPUT_INVALID'),
    );
    await assert.rejects(
      issueDeviceCertificate({ ...base, random: (n) => new Uint8Array(n) }),
      hasCode('CERT_INPUT_INVALID'),
    );
  });

  void test('a prepared issuer gives the same certificate as the PEM path', async () => {
    const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(7);
    const issuer = prepareDeviceCertificateIssuer(caSigner, ca.pem);
    const { caSigner: _s, caCertificatePem: _p, ...rest } = base;
    const deterministic: Signer = {
      label: 'fixed',
      publicKeySpkiDer: caSigner.publicKeySpkiDer,
      sign: () => Promise.resolve(new Uint8Array(64).fill(1)),
    };
    const a = await issueDeviceCertificate({ ...rest, random: fixed, issuer: { ...issuer, signer: deterministic } });
    const b = await issueDeviceCertificate({ ...base, random: fixed, caSigner: deterministic });
    assert.equal(a.pem, b.pem);
  });

  void test('rejects identifiers outside the documented character set', async () => {
    const bad = [
      { product: 'sensor:node' },
      { product: '' },
      { serial: 'SN 1' },
      { serial: '-SN' },
      { serial: 'x'.repeat(65) },
      { serial: 'SÉRIE' },
      { chipUidHex: 'abc' },
      { chipUidHex: '0x12' },
    ];
    for (const change of bad)
      await assert.rejects(
        issueDeviceCertificate({ ...base, ...change }),
        hasCode('CERT_INPUT_INVALID'),
        JSON.stringify(change),
      );
  });

  void test('rejects a device key that is not an uncompressed P-256 SPKI', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'der' });
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    for (const key of [p384, ed, Buffer.from('3000', 'hex')]) {
      await assert.rejects(
        issueDeviceCertificate({ ...base, devicePublicKeySpkiDer: key }),
        hasCode('CERT_INPUT_INVALID'),
      );
    }
  });

  void test('refuses a CA that cannot issue', async () => {
    const stranger = new SoftwareSignerForTests('stranger');
    const leaf = await issueDeviceCertificate(base);
    await assert.rejects(issueDeviceCertificate({ ...base, caSigner: stranger }), hasCode('CERT_ISSUER_INVALID'));
    await assert.rejects(
      issueDeviceCertificate({ ...base, caSigner: device, caCertificatePem: leaf.pem }),
      hasCode('CERT_ISSUER_INVALID'),
    );
    await assert.rejects(
      issueDeviceCertificate({ ...base, caCertificatePem: 'not a pem' }),
      hasCode('CERT_ISSUER_INVALID'),
    );
    await assert.rejects(
      issueDeviceCertificate({ ...base, notBefore: new Date('2029-12-31T00:00:00Z') }),
      hasCode('CERT_ISSUER_INVALID'),
    );
    await assert.rejects(
      issueDeviceCertificate({ ...base, notBefore: new Date('2051-01-01T00:00:00Z') }),
      hasCode('CERT_ISSUER_INVALID'),
    );
  });

  void test('property: whatever valid identity goes in comes back out of verification', async () => {
    const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
    const uid = fc.option(
      fc.uint8Array({ minLength: 1, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(identifier, identifier, uid, async (product, serial, chipUidHex) => {
        const issued = await issueDeviceCertificate({ ...base, product, serial, chipUidHex });
        const facts = verifyDeviceCertificateChain(issued.pem, ca.pem, { at: new Date('2032-01-01T00:00:00Z') });
        assert.deepEqual([facts.product, facts.serial, facts.chipUidHex], [product, serial, chipUidHex]);
        assert.equal(facts.fingerprintSha256, issued.fingerprintSha256);
        assert.deepEqual(Buffer.from(facts.publicKeySpkiDer), Buffer.from(device.publicKeySpkiDer));
      }),
      { numRuns: 60 },
    );
  });
});
