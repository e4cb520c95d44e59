import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { decodePem } from '../encoding/index.js';
import { defaultAttestationPort } from './attestation-adapter.js';
import { BundleVerifier } from './bundle-verifier.js';
import { buildFixture, type Fixture } from './testing/fixtures.js';
import {
  parseTrustRoot,
  serializeTrustRoot,
  type TrustRoot,
  type TrustRootDocument,
  trustInputFromRoot,
  verifierKeyProblem,
} from './trust-root.js';

let fixture: Fixture;
let root: TrustRoot;

/** An Ed25519 cosignature/v1 (type 0x04) witness vkey, hashed as c2sp.org/signed-note says. */
function witnessVkey(name: string): string {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const material = Buffer.concat([Uint8Array.of(0x04), raw]);
  const hash = createHash('sha256').update(`${name}\n`).update(material).digest().subarray(0, 4).toString('hex');
  return `${name}+${hash}+${material.toString('base64')}`;
}

type Editable = Omit<TrustRootDocument, 'format'> & { format: string; extra?: number };
const documentOf = (): Editable => JSON.parse(serializeTrustRoot(root)) as Editable;
const problem = (change: (doc: Editable) => void): string => {
  const doc = documentOf();
  change(doc);
  try {
    parseTrustRoot(doc);
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'VERIFY_TRUST_ROOT_INVALID');
    return (error as Error).message;
  }
  return assert.fail('accepted');
};

before(async () => {
  fixture = await buildFixture(1);
  root = {
    attestationPublicKeysSpkiDer: [fixture.trust.attestationPublicKeySpkiDer],
    deviceCaCertificatesPem: [fixture.caCertificatePem],
    log: { origin: fixture.trust.origin, publicKeySpkiDer: fixture.trust.logPublicKeySpkiDer },
    witnesses: { keys: [witnessVkey('witness.example/w1'), witnessVkey('witness.example/w2')], threshold: 1 },
  };
});

void describe('trust root v1', () => {
  void test('serializes in the documented order and round-trips; the verifier input is the same trust', () => {
    const text = serializeTrustRoot(root);
    assert.deepEqual(Object.keys(JSON.parse(text) as object), [
      'format',
      'attestationKeys',
      'deviceCaCertificates',
      'log',
      'witnesses',
    ]);
    assert.ok(text.endsWith('}\n'));
    const parsed = parseTrustRoot(JSON.parse(text));
    assert.equal(serializeTrustRoot(parsed), text);
    assert.deepEqual(parsed.witnesses, root.witnesses);
    const input = trustInputFromRoot(parsed, new Date(0));
    assert.deepEqual(input.attestationPublicKeySpkiDer, fixture.trust.attestationPublicKeySpkiDer);
    assert.equal(input.caCertificatePem, fixture.caCertificatePem);
    assert.equal(input.origin, fixture.trust.origin);
    assert.equal(input.at?.getTime(), 0);
  });

  void test('every listed attestation key and CA is trusted (rotation); an unlisted one is not', async () => {
    const rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const other = await buildFixture(1);
    const both: TrustRoot = {
      ...root,
      attestationPublicKeysSpkiDer: [new Uint8Array(rotated), fixture.trust.attestationPublicKeySpkiDer],
      deviceCaCertificatesPem: [other.caCertificatePem, fixture.caCertificatePem],
    };
    const verifier = new BundleVerifier(
      trustInputFromRoot(parseTrustRoot(JSON.parse(serializeTrustRoot(both)))),
      defaultAttestationPort,
    );
    const result = verifier.verify(await fixture.bundle(0));
    assert.equal(result.ok, true, JSON.stringify(result.checks));
    const onlyRotated: TrustRoot = { ...root, attestationPublicKeysSpkiDer: [new Uint8Array(rotated)] };
    const refused = new BundleVerifier(trustInputFromRoot(onlyRotated), defaultAttestationPort).verify(
      await fixture.bundle(0),
    );
    assert.equal(refused.checks.find((c) => c.check === 'attestation-signature')?.status, 'failed');
    const otherCa: TrustRoot = { ...root, deviceCaCertificatesPem: [other.caCertificatePem] };
    const chain = new BundleVerifier(trustInputFromRoot(otherCa), defaultAttestationPort).verify(
      await fixture.bundle(0),
    );
    assert.equal(chain.checks.find((c) => c.check === 'certificate-chain')?.code, 'VERIFY_CA_MISMATCH');
  });

  void test('every bad field is refused naming the field and the reason', () => {
    assert.match(
      problem((d) => (d.format = 'ingrain.trust-root.v2')),
      /^trust root: format: "ingrain\.trust-root\.v2" is not/,
    );
    assert.match(
      problem((d) => (d.extra = 1)),
      /^trust root: \(root\): /,
    );
    assert.match(
      problem((d) => (d.attestationKeys = [])),
      /^trust root: attestationKeys: /,
    );
    assert.match(
      problem((d) => (d.attestationKeys = ['x'])),
      /^trust root: attestationKeys\[0\]: is not a PEM "PUBLIC KEY"/,
    );
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    assert.match(
      problem((d) => (d.log.publicKey = ed)),
      /^trust root: log\.publicKey: is not an ECDSA P-256 public key/,
    );
    assert.match(
      problem((d) => (d.deviceCaCertificates[0] = 'no')),
      /deviceCaCertificates\[0\]: is not a PEM "CERTIFICATE"/,
    );
    assert.match(
      problem((d) => (d.log.origin = 'has space')),
      /^trust root: log\.origin: must be non-empty/,
    );
    assert.match(
      problem((d) => (d.log.verifierKey = 'x+00000000+AgA=')),
      /log\.verifierKey: is not the verifier key/,
    );
    assert.match(
      problem((d) => (d.witnesses.threshold = 3)),
      /witnesses\.threshold: must be from 1 to 2/,
    );
    assert.match(
      problem((d) => (d.witnesses.threshold = 0)),
      /witnesses\.threshold: must be from 1 to 2/,
    );
    assert.match(
      problem((d) => (d.witnesses = { threshold: 1, keys: [] })),
      /must be 0 when no witness key/,
    );
    assert.match(
      problem((d) => d.witnesses.keys.push(d.witnesses.keys[0] ?? '')),
      /witnesses\.keys\[2\]: is listed twice/,
    );
    assert.match(
      problem((d) => (d.witnesses.keys[1] = 'w+zz+AA==')),
      /witnesses\.keys\[1\]: the key hash must be 8/,
    );
  });

  void test('witness vkeys: syntax, and for Ed25519 types the c2sp key hash', () => {
    const good = witnessVkey('w.example/a');
    assert.equal(verifierKeyProblem(good), undefined);
    const name = good.slice(0, good.indexOf('+'));
    const material = good.slice(good.indexOf('+') + 10);
    assert.match(verifierKeyProblem(`${name}+00000000+${material}`) ?? '', /the key hash is 00000000, the key's is/);
    assert.match(verifierKeyProblem('a+b') ?? '', /must be "<name>\+<8 hex digits>\+<base64 key>"/);
    assert.match(verifierKeyProblem(`${name}+00000000+BAAA`) ?? '', /must be 32 bytes/);
    // The log's own vkey (type 0x02, ECDSA, Rekor-style key ID) is syntactically accepted.
    const logVkey = documentOf().log;
    assert.equal(verifierKeyProblem(logVkey.verifierKey), undefined);
    assert.ok(decodePem(documentOf().attestationKeys[0] ?? '', 'PUBLIC KEY').length > 0);
  });
});
