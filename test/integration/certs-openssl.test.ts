// Device certificates against the Debian openssl CLI: chain verification (strict X.509 mode), the
// extensions docs/certificates.md promises, and our verifier on certificates OpenSSL made.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CertificateVerificationError,
  createCaCertificate,
  type IssuedCertificate,
  issueDeviceCertificate,
  type Signer,
  verifyDeviceCertificateChain,
} from '#ingrain/crypto';

/** A node:crypto P-256 signer (test key; production keys live in the HSM). */
function softwareSigner(label: string): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    label,
    publicKeySpkiDer: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    sign: (message) =>
      Promise.resolve(new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }))),
  };
}

let dir = '';
function openssl(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function opensslOk(...args: string[]): string {
  const result = openssl(...args);
  assert.equal(result.status, 0, `openssl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

void describe('device certificates with the openssl CLI', () => {
  const caSigner = softwareSigner('ingrain-device-ca');
  const deviceSigner = softwareSigner('device');
  let ca: IssuedCertificate;
  let device: IssuedCertificate;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ingrain-certs-openssl-'));
    ca = await createCaCertificate({
      signer: caSigner,
      subjectCommonName: 'Ingrain Device CA',
      organization: 'Ingrain Test',
      validityDays: 3650,
    });
    device = await issueDeviceCertificate({
      caSigner,
      caCertificatePem: ca.pem,
      devicePublicKeySpkiDer: deviceSigner.publicKeySpkiDer,
      product: 'sensor-node',
      serial: 'SN-000123',
      chipUidHex: '0123456789ABCDEF01234567',
      random: (n) => randomBytes(n),
      notBefore: new Date(),
      validityDays: 365,
    });
    writeFileSync(join(dir, 'ca.pem'), ca.pem);
    writeFileSync(join(dir, 'device.pem'), device.pem);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  void test('openssl verify accepts the chain, also in -x509_strict mode', () => {
    assert.equal(opensslOk('verify', '-CAfile', 'ca.pem', 'device.pem').trim(), 'device.pem: OK');
    assert.equal(opensslOk('verify', '-x509_strict', '-CAfile', 'ca.pem', 'device.pem').trim(), 'device.pem: OK');
    assert.equal(opensslOk('verify', '-x509_strict', '-CAfile', 'ca.pem', 'ca.pem').trim(), 'ca.pem: OK');
  });

  void test('openssl verify refuses the device certificate under another CA with the same name', async () => {
    const impostor = await createCaCertificate({
      signer: softwareSigner('impostor'),
      subjectCommonName: 'Ingrain Device CA',
      organization: 'Ingrain Test',
      validityDays: 3650,
    });
    writeFileSync(join(dir, 'impostor.pem'), impostor.pem);
    const result = openssl('verify', '-CAfile', 'impostor.pem', 'device.pem');
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /error/i);
  });

  void test('openssl x509 -text shows the promised device profile', () => {
    const text = opensslOk('x509', '-in', 'device.pem', '-noout', '-text');
    const promised = [
      'Version: 3 (0x2)',
      'Signature Algorithm: ecdsa-with-SHA256',
      'Issuer: O = Ingrain Test, CN = Ingrain Device CA',
      'Subject: OU = sensor-node, CN = SN-000123, serialNumber = SN-000123',
      'NIST CURVE: P-256',
      'X509v3 Basic Constraints: critical',
      'CA:FALSE',
      'X509v3 Key Usage: critical',
      'Digital Signature, Key Agreement',
      'X509v3 Subject Key Identifier:',
      'X509v3 Authority Key Identifier:',
      'X509v3 Subject Alternative Name:',
      'URI:urn:ingrain:device:sensor-node:SN-000123, URI:urn:ingrain:chip-uid:0123456789abcdef01234567',
    ];
    for (const line of promised) assert.ok(text.includes(line), `missing: ${line}\n${text}`);
    assert.doesNotMatch(text, /Extended Key Usage/);
  });

  void test('openssl x509 -text shows the promised CA profile, and the key ids chain', () => {
    const text = opensslOk('x509', '-in', 'ca.pem', '-noout', '-text');
    for (const line of [
      'Subject: O = Ingrain Test, CN = Ingrain Device CA',
      'X509v3 Basic Constraints: critical',
      'CA:TRUE, pathlen:0',
      'X509v3 Key Usage: critical',
      'Certificate Sign, CRL Sign',
    ]) {
      assert.ok(text.includes(line), `missing: ${line}\n${text}`);
    }
    const caSki = opensslOk('x509', '-in', 'ca.pem', '-noout', '-ext', 'subjectKeyIdentifier').split('\n')[1]!.trim();
    const deviceAki = opensslOk('x509', '-in', 'device.pem', '-noout', '-ext', 'authorityKeyIdentifier')
      .split('\n')[1]!
      .trim();
    assert.equal(deviceAki.replace(/^keyid:/, ''), caSki);
  });

  void test('fingerprint and serial number match what issuance returned', () => {
    const fingerprint = opensslOk('x509', '-in', 'device.pem', '-noout', '-fingerprint', '-sha256').trim();
    assert.equal(fingerprint.split('=')[1]!.replaceAll(':', '').toLowerCase(), device.fingerprintSha256);
    const serial = opensslOk('x509', '-in', 'device.pem', '-noout', '-serial').trim();
    assert.equal(
      serial
        .replace(/^serial=/, '')
        .toLowerCase()
        .replace(/^0+/, ''),
      device.serialNumberHex.replace(/^0+/, ''),
    );
  });

  void test('our verifier accepts an OpenSSL-made certificate in the profile and names what is wrong in others', () => {
    opensslOk('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ossl-ca.key');
    opensslOk(
      'req',
      '-x509',
      '-new',
      '-key',
      'ossl-ca.key',
      '-subj',
      '/CN=OpenSSL Device CA',
      '-days',
      '30',
      '-sha256',
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'ossl-ca.pem',
    );
    opensslOk('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ossl-dev.key');
    opensslOk('req', '-new', '-key', 'ossl-dev.key', '-subj', '/OU=sensor-node/CN=SN-9', '-out', 'ossl-dev.csr');
    const base = [
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      'subjectAltName=URI:urn:ingrain:device:sensor-node:SN-9',
    ];
    const variants: Record<string, string[]> = {
      good: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyAgreement', ...base],
      claimsCa: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature', ...base],
      certSign: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyCertSign', ...base],
      noSan: [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
      ],
    };
    const issued: Record<string, string> = {};
    for (const [name, lines] of Object.entries(variants)) {
      writeFileSync(join(dir, `${name}.ext`), `${lines.join('\n')}\n`);
      opensslOk(
        'x509',
        '-req',
        '-in',
        'ossl-dev.csr',
        '-CA',
        'ossl-ca.pem',
        '-CAkey',
        'ossl-ca.key',
        '-set_serial',
        '0x1234',
        '-days',
        '30',
        '-sha256',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.pem`,
      );
      issued[name] = readFileSync(join(dir, `${name}.pem`), 'utf8');
    }
    const caPem = readFileSync(join(dir, 'ossl-ca.pem'), 'utf8');
    const facts = verifyDeviceCertificateChain(issued.good!, caPem);
    assert.deepEqual([facts.product, facts.serial, facts.chipUidHex], ['sensor-node', 'SN-9', undefined]);
    const expected: Record<string, string> = {
      claimsCa: 'CERT_CA_FLAGS_INVALID',
      certSign: 'CERT_KEY_USAGE_INVALID',
      noSan: 'CERT_PROFILE_INVALID',
    };
    for (const [name, code] of Object.entries(expected)) {
      assert.throws(
        () => verifyDeviceCertificateChain(issued[name]!, caPem),
        (e: unknown) => e instanceof CertificateVerificationError && e.code === code,
        name,
      );
    }
    assert.throws(
      () => verifyDeviceCertificateChain(device.pem, caPem),
      (e: unknown) => e instanceof CertificateVerificationError && e.code === 'CERT_ISSUER_MISMATCH',
    );
  });
});
