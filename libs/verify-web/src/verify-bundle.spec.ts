import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { BundleVerifier, defaultAttestationPort } from '#ingrain/crypto';
import { type CheckName, type PublishedKeys, verifyBundleInBrowser } from './index.js';
import { makeRealBundles, type RealBundles } from './testing/real-bundles.js';

type Bundle = Record<string, unknown> & {
  attestation: { payload: string; payloadType: string; signatures: { keyid: string; sig: string }[] };
  deviceCertificatePem: string;
  caCertificatePem: string;
  log: { leafIndex: number; inclusionProof: string[]; checkpoint: string };
};

const clone = (bundle: Record<string, unknown>): Bundle => structuredClone(bundle) as Bundle;
const spki = (pem: string) => new Uint8Array(createPublicKey(pem).export({ type: 'spki', format: 'der' }));

/** Flips one bit of the byte at `index` of base64 `text` (standard alphabet, stays canonical). */
function flipBase64Byte(text: string, index: number): string {
  const bytes = Buffer.from(text, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

/** Flips a byte of a certificate's DER `fromEnd` bytes before its end (inside the signature). */
function flipCertificateByte(pem: string, fromEnd: number): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - fromEnd] = (der[der.length - fromEnd] ?? 0) ^ 0x01;
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

describe('verifyBundleInBrowser against bundles made by #ingrain/crypto', () => {
  let real: RealBundles;
  let genuine: Record<string, unknown>;
  let second: Record<string, unknown>;
  let uidMismatch: Record<string, unknown>;
  let keyPointInOtp: Record<string, unknown>;
  let keyHashInOtp: Record<string, unknown>;
  let notChipBound: Record<string, unknown>;
  let reference: BundleVerifier;

  before(async () => {
    real = await makeRealBundles();
    const first = await real.addDevice({ serial: 'SN1' });
    const other = await real.addDevice({ serial: 'SN2' });
    const mismatch = await real.addDevice({ serial: 'SN3', certificateUidHex: '00'.repeat(12) });
    const point = await real.addDevice({ serial: 'SN4', otpPublicKey: 'point' });
    const hash = await real.addDevice({ serial: 'SN5', otpPublicKey: 'sha256' });
    const unbound = await real.addDevice({ serial: 'SN6', certificateUidHex: null });
    await real.checkpoint();
    keyPointInOtp = await real.bundleOf(point);
    keyHashInOtp = await real.bundleOf(hash);
    notChipBound = await real.bundleOf(unbound);
    genuine = await real.bundleOf(first);
    second = await real.bundleOf(other);
    uidMismatch = await real.bundleOf(mismatch);
    reference = new BundleVerifier(
      {
        attestationPublicKeySpkiDer: spki(real.keys.attestationPublicKeyPem),
        logPublicKeySpkiDer: spki(real.keys.logPublicKeyPem),
        caCertificatePem: real.keys.caCertificatePem,
        origin: real.keys.logOrigin,
      },
      defaultAttestationPort,
    );
  });

  /** Verifies, checks the verdict agrees with the project's own verifier, returns the result. */
  async function verify(bundle: unknown, keys: PublishedKeys = real.keys, at?: Date) {
    const result = await verifyBundleInBrowser(bundle, keys, at === undefined ? {} : { at });
    if (keys === real.keys && at === undefined) {
      const decoded: unknown = typeof bundle === 'string' ? JSON.parse(bundle) : bundle;
      const expected = reference.verify(decoded);
      assert.equal(result.ok, expected.ok, 'both verifiers agree');
      // chip-binding: the same status, code and (when it ran) the same words as BundleVerifier.
      const mine = result.checks.find((c) => c.name === 'chip-binding');
      const theirs = expected.checks.find((c) => c.check === 'chip-binding');
      if (mine !== undefined && theirs !== undefined) {
        assert.deepEqual([mine.status, mine.code], [theirs.status, theirs.code], 'chip-binding agrees');
        if (mine.status !== 'not-checked') assert.equal(mine.message, theirs.detail);
      }
    }
    return result;
  }

  async function assertFails(bundle: unknown, name: CheckName, code: string, keys?: PublishedKeys, at?: Date) {
    const result = await verify(bundle, keys, at);
    assert.equal(result.ok, false);
    const check = result.checks.find((c) => c.name === name);
    assert.deepEqual(
      { status: check?.status, code: check?.code },
      { status: 'failed', code },
      JSON.stringify(result.checks),
    );
    return result;
  }

  it('passes every check of a genuine bundle, and says what each found', async () => {
    const result = await verify(genuine);
    assert.equal(result.ok, true, JSON.stringify(result.checks));
    assert.deepEqual(
      result.checks.map((c) => [c.name, c.status]),
      [
        'trust',
        'bundle',
        'trusted-ca',
        'attestation-signature',
        'certificate-chain',
        'certificate-binding',
        'chip-binding',
        'checkpoint',
        'log-inclusion',
      ].map((n) => [n, 'passed']),
    );
    assert.equal(result.attestation?.serial, 'SN1');
    assert.equal(result.treeSize, 6);
    assert.match(result.checks.find((c) => c.name === 'log-inclusion')?.message ?? '', /leaf 0 of the tree of size 6/);
    assert.equal((await verify(JSON.stringify(second))).ok, true, 'JSON text is accepted too');
  });

  it('fails attestation-signature for a changed payload byte, signature byte, keyid or payload type', async () => {
    const payload = clone(genuine);
    payload.attestation.payload = flipBase64Byte(payload.attestation.payload, 40);
    await assertFails(payload, 'attestation-signature', 'ATTESTATION_SIGNATURE_INVALID');
    const sig = clone(genuine);
    sig.attestation.signatures[0]!.sig = flipBase64Byte(sig.attestation.signatures[0]!.sig, 20);
    await assertFails(sig, 'attestation-signature', 'ATTESTATION_SIGNATURE_INVALID');
    const keyid = clone(genuine);
    keyid.attestation.signatures[0]!.keyid = 'ab'.repeat(32);
    await assertFails(keyid, 'attestation-signature', 'ATTESTATION_SIGNATURE_INVALID');
    const type = clone(genuine);
    type.attestation.payloadType = 'application/vnd.ingrain.attestation.v2+json';
    await assertFails(type, 'attestation-signature', 'ATTESTATION_UNSUPPORTED_VERSION');
  });

  it('fails the certificate checks for a changed certificate, another device, another chip UID, another CA, expiry', async () => {
    const signature = clone(genuine);
    signature.deviceCertificatePem = flipCertificateByte(signature.deviceCertificatePem, 5);
    await assertFails(signature, 'certificate-chain', 'CERT_SIGNATURE_INVALID');
    const swapped = clone(genuine);
    swapped.deviceCertificatePem = (second as Bundle).deviceCertificatePem;
    const result = await assertFails(swapped, 'certificate-binding', 'VERIFY_CERTIFICATE_MISMATCH');
    assert.equal(result.checks.find((c) => c.name === 'certificate-chain')?.status, 'passed');
    await assertFails(uidMismatch, 'certificate-binding', 'VERIFY_CERTIFICATE_MISMATCH');
    const otherCa = clone(genuine);
    otherCa.caCertificatePem = real.otherCaPem;
    await assertFails(otherCa, 'trusted-ca', 'VERIFY_CA_MISMATCH');
    await assertFails(genuine, 'certificate-chain', 'CERT_EXPIRED', real.keys, new Date(Date.now() + 90 * 86_400_000));
  });

  it('chip-binding: a chip-bound certificate names the attested chip and where the OTP holds its key', async () => {
    const chip = async (bundle: unknown) => (await verify(bundle)).checks.find((c) => c.name === 'chip-binding');
    const uid = (bundle: Record<string, unknown>) =>
      (
        JSON.parse(Buffer.from((bundle as Bundle).attestation.payload, 'base64').toString()) as {
          chip: { uidHex: string };
        }
      ).chip.uidHex;
    assert.deepEqual(await chip(genuine), {
      name: 'chip-binding',
      ok: true,
      status: 'passed',
      message:
        `the certificate is bound to the attested chip UID ${uid(genuine)}; ` +
        'the attested OTP holds no copy of the certificate key (layout without one): not compared',
    });
    assert.match(
      (await chip(keyPointInOtp))?.message ?? '',
      /; the attested OTP holds the certificate's public key point at offset 64$/,
    );
    assert.match(
      (await chip(keyHashInOtp))?.message ?? '',
      /; the attested OTP holds the certificate's public key SHA-256 at offset 64$/,
    );
  });

  it('chip-binding: a certificate the CA issued for another chip fails, in both verifiers, with the same code', async () => {
    const result = await assertFails(uidMismatch, 'chip-binding', 'VERIFY_CHIP_BINDING_MISMATCH');
    assert.match(
      result.checks.find((c) => c.name === 'chip-binding')?.message ?? '',
      /^the certificate is bound to chip UID 0{24}, but the attestation is for chip UID [0-9a-f]{24}$/,
    );
    assert.equal(result.checks.find((c) => c.name === 'certificate-chain')?.status, 'passed');
    // Another bundle's chip-bound certificate: certificate-binding and chip-binding both fail.
    const swapped = clone(genuine);
    swapped.deviceCertificatePem = (second as Bundle).deviceCertificatePem;
    await assertFails(swapped, 'chip-binding', 'VERIFY_CHIP_BINDING_MISMATCH');
    // The attestation signature failing leaves chip-binding not checked, as in the CLI.
    const payload = clone(genuine);
    payload.attestation.payload = flipBase64Byte(payload.attestation.payload, 40);
    const unsigned = await verify(payload);
    assert.equal(unsigned.checks.find((c) => c.name === 'chip-binding')?.status, 'not-checked');
  });

  it('certificate-chain: the chip UID extension, subject attribute and URI must agree (CERT_PROFILE_INVALID)', async () => {
    const pem = (genuine as Bundle).deviceCertificatePem;
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const uid = (
      JSON.parse(Buffer.from((genuine as Bundle).attestation.payload, 'base64').toString()) as {
        chip: { uidHex: string };
      }
    ).chip.uidHex;
    const other = uid.replace(/^./, uid.startsWith('0') ? '1' : '0');
    const text = Buffer.from(uid);
    // The subject attribute comes first in the TBS, the URI after it, the extension holds the bytes.
    const replaceAt = (tbs: Buffer, at: number, by: Buffer) => {
      assert.ok(at >= 0);
      const copy = Buffer.from(tbs);
      by.copy(copy, at);
      return copy;
    };
    assert.ok(der.indexOf(text) >= 0);
    const variants = {
      subject: (tbs: Buffer) => replaceAt(tbs, tbs.indexOf(text), Buffer.from(other)),
      uri: (tbs: Buffer) => replaceAt(tbs, tbs.indexOf(text, tbs.indexOf(text) + 1), Buffer.from(other)),
      extension: (tbs: Buffer) => replaceAt(tbs, tbs.indexOf(Buffer.from(uid, 'hex')), Buffer.from(other, 'hex')),
    };
    for (const [which, edit] of Object.entries(variants)) {
      const bundle = clone(genuine);
      bundle.deviceCertificatePem = await real.resignCertificate(pem, edit);
      const result = await assertFails(bundle, 'certificate-chain', 'CERT_PROFILE_INVALID');
      assert.match(result.checks.find((c) => c.name === 'certificate-chain')?.message ?? '', /chip UID/, which);
      assert.equal(result.checks.find((c) => c.name === 'chip-binding')?.status, 'not-checked');
      const cli = reference.verify(bundle).checks.find((c) => c.check === 'certificate-chain');
      assert.deepEqual([cli?.status, cli?.code], ['failed', 'CERT_PROFILE_INVALID'], `${which}: ${cli?.detail}`);
    }
    // Unchanged and signed again: still passes (the edit, not the re-signing, is what fails).
    const same = clone(genuine);
    same.deviceCertificatePem = await real.resignCertificate(pem, (tbs) => tbs);
    assert.equal((await verify(same)).checks.find((c) => c.name === 'certificate-chain')?.status, 'passed');
  });

  it('chip-binding: a certificate issued before chip binding passes with the warning', async () => {
    const result = await verify(notChipBound);
    assert.equal(result.ok, true, JSON.stringify(result.checks));
    const check = result.checks.find((c) => c.name === 'chip-binding');
    assert.equal(check?.status, 'passed');
    assert.match(check?.message ?? '', /^WARNING certificate not chip-bound: /);
  });

  it('fails the log checks for a changed leaf index, proof hash, root, checkpoint signature or origin', async () => {
    const index = clone(genuine);
    index.log.leafIndex = 1;
    await assertFails(index, 'log-inclusion', 'LOG_INCLUSION_PROOF_INVALID');
    const proof = clone(genuine);
    proof.log.inclusionProof[1] = flipBase64Byte(proof.log.inclusionProof[1]!, 3);
    await assertFails(proof, 'log-inclusion', 'LOG_INCLUSION_PROOF_INVALID');
    const lines = (genuine as Bundle).log.checkpoint.split('\n');
    const root = clone(genuine);
    root.log.checkpoint = [lines[0], lines[1], flipBase64Byte(lines[2]!, 0), ...lines.slice(3)].join('\n');
    await assertFails(root, 'checkpoint', 'LOG_CHECKPOINT_SIGNATURE_INVALID');
    const unsigned = clone(genuine);
    unsigned.log.checkpoint = `${lines.slice(0, 3).join('\n')}\n\n— ${real.keys.logOrigin} ${Buffer.alloc(70, 1).toString('base64')}\n`;
    await assertFails(unsigned, 'checkpoint', 'LOG_CHECKPOINT_UNSIGNED');
    const result = await assertFails(genuine, 'checkpoint', 'LOG_CHECKPOINT_ORIGIN_MISMATCH', {
      ...real.keys,
      logOrigin: 'elsewhere/log',
    });
    assert.equal(result.checks.find((c) => c.name === 'log-inclusion')?.status, 'not-checked');
  });

  it('fails the bundle check for another format or an extra field, and checks nothing else', async () => {
    await assertFails(
      { ...genuine, format: 'ingrain.verification-bundle.v2' },
      'bundle',
      'VERIFY_BUNDLE_UNSUPPORTED_FORMAT',
    );
    const result = await assertFails({ ...genuine, extra: 1 }, 'bundle', 'VERIFY_BUNDLE_MALFORMED');
    assert.ok(
      result.checks.filter((c) => c.name !== 'bundle' && c.name !== 'trust').every((c) => c.status === 'not-checked'),
    );
    const notJson = await verifyBundleInBrowser('{', real.keys);
    assert.equal(notJson.checks.find((c) => c.name === 'bundle')?.code, 'VERIFY_BUNDLE_MALFORMED');
  });

  it('refuses unusable published keys as a failed trust check', async () => {
    await assertFails(genuine, 'trust', 'VERIFY_TRUST_INVALID', { ...real.keys, logPublicKeyPem: 'not a key' });
  });

  it('fails when any single character of any field of the bundle changes', async () => {
    const paths: (string | number)[][] = [];
    const walk = (value: unknown, path: (string | number)[]) => {
      if (typeof value === 'string' && path[0] !== 'format') paths.push(path);
      else if (typeof value === 'object' && value !== null)
        for (const [k, v] of Object.entries(value)) walk(v, [...path, Array.isArray(value) ? Number(k) : k]);
    };
    walk(genuine, []);
    assert.ok(paths.length >= 8);
    for (const path of paths) {
      const bundle = clone(genuine);
      let parent: Record<string | number, unknown> = bundle;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
      const last = path[path.length - 1]!;
      const text = parent[last] as string;
      const at = Math.floor(text.length / 2);
      const replacement = text[at] === 'A' ? 'B' : 'A';
      parent[last] = text.slice(0, at) + replacement + text.slice(at + 1);
      const result = await verifyBundleInBrowser(bundle, real.keys);
      assert.equal(result.ok, false, `changing ${path.join('.')} must fail`);
    }
  });
});
