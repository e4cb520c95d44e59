import 'reflect-metadata'; // @peculiar/x509 (used here as an independent parser) needs it
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { type Signer } from '../signer.js';
import { SoftwareSignerForTests } from '../testing/index.js';
import { createCaCertificate } from './ca-certificate.js';
import { CertificateError } from './errors.js';

const hasCode = (code: string) => (error: unknown) => error instanceof CertificateError && error.code === code;

function rfc7093KeyId(signer: SoftwareSignerForTests): string {
  const spki = Buffer.from(signer.publicKeySpkiDer);
  return createHash('sha256')
    .update(spki.subarray(spki.length - 65))
    .digest('hex')
    .slice(0, 40);
}

void describe('createCaCertificate', () => {
  const signer = new SoftwareSignerForTests('ingrain-device-ca');
  const notBefore = new Date('2030-01-02T03:04:05.678Z');

  void test('is a self-signed v3 CA certificate OpenSSL accepts', async () => {
    const ca = await createCaCertificate({
      signer,
      subjectCommonName: 'Ingrain Device CA',
      organization: 'Acme GmbH',
      validityDays: 3650,
      notBefore,
    });
    const cert = new X509Certificate(ca.der);
    assert.equal(cert.subject, 'O=Acme GmbH\nCN=Ingrain Device CA');
    assert.equal(cert.issuer, cert.subject);
    assert.equal(cert.ca, true);
    assert.ok(cert.verify(signer.publicKey));
    assert.ok(cert.checkIssued(cert));
    assert.equal(new Date(cert.validFrom).toISOString(), '2030-01-02T03:04:05.000Z');
    assert.equal(new Date(cert.validTo).toISOString(), '2039-12-31T03:04:05.000Z');
    assert.equal(ca.fingerprintSha256, createHash('sha256').update(ca.der).digest('hex'));
    assert.equal(cert.fingerprint256.replaceAll(':', '').toLowerCase(), ca.fingerprintSha256);
    assert.equal(ca.pem, cert.toString());
    assert.equal(cert.serialNumber.toLowerCase().replace(/^0+/, ''), ca.serialNumberHex.replace(/^0+/, ''));
  });

  void test('carries exactly the promised extensions', async () => {
    const ca = await createCaCertificate({
      signer,
      subjectCommonName: 'Ingrain Device CA',
      validityDays: 30,
      notBefore,
    });
    const cert = new x509.X509Certificate(ca.pem);
    assert.equal(cert.subject, 'CN=Ingrain Device CA');
    assert.deepEqual(cert.signatureAlgorithm, { name: 'ECDSA', hash: { name: 'SHA-256' } });
    assert.deepEqual(
      [...cert.extensions].map((e) => [e.type, e.critical]),
      [
        ['2.5.29.19', true],
        ['2.5.29.15', true],
        ['2.5.29.14', false],
      ],
    );
    const basic = cert.getExtension(x509.BasicConstraintsExtension)!;
    assert.deepEqual([basic.ca, basic.pathLength], [true, 0]);
    assert.equal(
      cert.getExtension(x509.KeyUsagesExtension)!.usages,
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
    );
    assert.equal(cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId, rfc7093KeyId(signer));
  });

  void test('serial numbers are positive and come from the random source', async () => {
    const random = (n: number): Uint8Array => new Uint8Array(n).fill(0xff);
    const ca = await createCaCertificate({ signer, subjectCommonName: 'CA', validityDays: 1, random });
    assert.equal(ca.serialNumberHex, `7f${'ff'.repeat(15)}`);
    assert.equal(new X509Certificate(ca.der).serialNumber, `7F${'FF'.repeat(15)}`);
  });

  void test('rejects bad names and validity', async () => {
    const cases = [
      { subjectCommonName: '', validityDays: 1 },
      { subjectCommonName: 'x'.repeat(65), validityDays: 1 },
      { subjectCommonName: 'a\nb', validityDays: 1 },
      { subjectCommonName: ' padded', validityDays: 1 },
      { subjectCommonName: 'ok', organization: '\u0000', validityDays: 1 },
      { subjectCommonName: 'ok', validityDays: 0 },
    ];
    for (const input of cases)
      await assert.rejects(createCaCertificate({ signer, ...input }), hasCode('CERT_INPUT_INVALID'));
  });

  void test('rejects a signer that is not P-256', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const wrongCurve = new SoftwareSignerForTests('p384', p384);
    await assert.rejects(
      createCaCertificate({ signer: wrongCurve, subjectCommonName: 'CA', validityDays: 1 }),
      hasCode('CERT_INPUT_INVALID'),
    );
  });

  void test('refuses to return a certificate whose signature does not verify', async () => {
    const other = new SoftwareSignerForTests('other');
    const lying: Signer = { label: 'lying', publicKeySpkiDer: signer.publicKeySpkiDer, sign: (m) => other.sign(m) };
    await assert.rejects(
      createCaCertificate({ signer: lying, subjectCommonName: 'CA', validityDays: 1 }),
      hasCode('CERT_SIGNATURE_INVALID'),
    );
  });

  void test('passes signer failures through unchanged', async () => {
    const failure = new Error('token removed');
    const broken: Signer = {
      label: 'broken',
      publicKeySpkiDer: signer.publicKeySpkiDer,
      sign: () => Promise.reject(failure),
    };
    await assert.rejects(
      createCaCertificate({ signer: broken, subjectCommonName: 'CA', validityDays: 1 }),
      (e) => e === failure,
    );
  });
});
