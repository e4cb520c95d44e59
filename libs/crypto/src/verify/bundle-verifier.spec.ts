import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildConsistencyProofFile } from './bundle-builder.js';
import { type BundleVerification, BundleVerifier } from './bundle-verifier.js';
import { parseConsistencyProofFile, parseDeviceRead, type VerificationBundleDocument } from './formats.js';
import { buildFixture, type Fixture, ORIGIN } from './testing/fixtures.js';
import { defaultAttestationPort } from './attestation-adapter.js';
import { verifyBundles } from './verify-bundles.js';

let fixture: Fixture;
let verifier: BundleVerifier;

before(async () => {
  fixture = await buildFixture(4);
  verifier = new BundleVerifier(fixture.trust, defaultAttestationPort);
});

const statusOf = (result: BundleVerification): Record<string, string> =>
  Object.fromEntries(result.checks.map((c) => [c.check, c.code === undefined ? c.status : `${c.status}:${c.code}`]));

const clone = (bundle: VerificationBundleDocument): VerificationBundleDocument =>
  JSON.parse(JSON.stringify(bundle)) as VerificationBundleDocument;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const deviceReadFor = (i: number, overrides: Record<string, unknown> = {}) => {
  const device = fixture.devices[i];
  assert.ok(device);
  return parseDeviceRead({
    otp: { dataHex: hex(device.otpData), lockBytesHex: hex(device.lockBytes) },
    uidHex: device.attestation.chip.uidHex,
    family: device.attestation.chip.family,
    productId: '0x413',
    ...overrides,
  });
};

void describe('BundleVerifier', () => {
  void test('a genuine bundle passes every check, in report order', async () => {
    const result = verifier.verify(await fixture.bundle(2));
    assert.deepEqual(statusOf(result), {
      bundle: 'passed',
      'attestation-signature': 'passed',
      'certificate-chain': 'passed',
      'certificate-binding': 'passed',
      'chip-binding': 'passed',
      checkpoint: 'passed',
      'log-inclusion': 'passed',
    });
    assert.equal(result.ok, true);
    assert.equal(result.leafIndex, 2);
    assert.equal(result.treeSize, 4);
    assert.equal(result.facts?.serial, 'SN1002');
  });

  void test('an edited attestation payload fails its signature and its log inclusion', async () => {
    const bundle = clone(await fixture.bundle(0));
    const other = fixture.devices[1]?.envelope.payload;
    bundle.attestation = { ...bundle.attestation, payload: other };
    const status = statusOf(verifier.verify(bundle));
    assert.equal(status['attestation-signature'], 'failed:ATTESTATION_SIGNATURE_INVALID');
    assert.equal(status['certificate-binding'], 'not-checked:VERIFY_NOT_CHECKED');
    assert.equal(status['log-inclusion'], 'failed:LOG_INCLUSION_PROOF_INVALID');
  });

  void test('a tampered proof element or leaf index fails inclusion only', async () => {
    const bundle = clone(await fixture.bundle(1));
    const first = Buffer.from(bundle.log.inclusionProof[0] ?? '', 'base64');
    first[5] = (first[5] ?? 0) ^ 0x40;
    bundle.log.inclusionProof[0] = first.toString('base64');
    const result = verifier.verify(bundle);
    assert.equal(result.ok, false);
    assert.equal(statusOf(result)['log-inclusion'], 'failed:LOG_INCLUSION_PROOF_INVALID');
    assert.equal(statusOf(result)['attestation-signature'], 'passed');

    const moved = clone(await fixture.bundle(1));
    moved.log.leafIndex = 0;
    assert.equal(statusOf(verifier.verify(moved))['log-inclusion'], 'failed:LOG_INCLUSION_PROOF_INVALID');
  });

  void test('an edited checkpoint fails, and inclusion is then not checked', async () => {
    const bundle = clone(await fixture.bundle(1));
    bundle.log.checkpoint = bundle.log.checkpoint.replace(`${ORIGIN}\n4\n`, `${ORIGIN}\n5\n`);
    const status = statusOf(verifier.verify(bundle));
    assert.equal(status.checkpoint, 'failed:LOG_CHECKPOINT_SIGNATURE_INVALID');
    assert.equal(status['log-inclusion'], 'not-checked:VERIFY_NOT_CHECKED');
  });

  void test("another device's certificate chains but is not the attested one", async () => {
    const bundle = clone(await fixture.bundle(0));
    bundle.deviceCertificatePem = fixture.devices[3]?.certificatePem ?? '';
    const result = verifier.verify(bundle);
    assert.equal(statusOf(result)['certificate-chain'], 'passed');
    assert.equal(statusOf(result)['certificate-binding'], 'failed:VERIFY_CERTIFICATE_MISMATCH');
    const detail = result.checks.find((c) => c.check === 'certificate-binding')?.detail ?? '';
    assert.match(detail, /attested certificate .* is not the bundle's/);
  });

  void test('a certificate from another CA fails the chain; a bundle naming another CA too', async () => {
    const stranger = await buildFixture(1);
    const bundle = clone(await fixture.bundle(0));
    bundle.deviceCertificatePem = stranger.devices[0]?.certificatePem ?? '';
    assert.equal(statusOf(verifier.verify(bundle))['certificate-chain'], 'failed:CERT_ISSUER_MISMATCH');

    const otherCa = clone(await fixture.bundle(0));
    otherCa.caCertificatePem = stranger.caCertificatePem;
    assert.equal(statusOf(verifier.verify(otherCa))['certificate-chain'], 'failed:VERIFY_CA_MISMATCH');
  });

  void test('a bundle signed into another log (other key) is refused', async () => {
    const stranger = await buildFixture(1);
    const status = statusOf(verifier.verify(await stranger.bundle(0)));
    assert.equal(status.checkpoint, 'failed:LOG_CHECKPOINT_UNSIGNED');
    assert.equal(status['attestation-signature'], 'failed:ATTESTATION_SIGNATURE_INVALID');
    assert.equal(status['certificate-chain'], 'failed:VERIFY_CA_MISMATCH');
  });

  void test('malformed or unknown-format bundles fail at the bundle check, the rest not checked', async () => {
    const unknown = { ...(await fixture.bundle(0)), format: 'ingrain.verification-bundle.v9' };
    assert.equal(statusOf(verifier.verify(unknown)).bundle, 'failed:VERIFY_BUNDLE_UNSUPPORTED_FORMAT');
    const missing = clone(await fixture.bundle(0)) as Partial<VerificationBundleDocument>;
    delete missing.deviceCertificatePem;
    const result = verifier.verify(missing);
    assert.equal(statusOf(result).bundle, 'failed:VERIFY_BUNDLE_MALFORMED');
    assert.ok(result.checks.slice(1).every((c) => c.status === 'not-checked'));
    const badHash = clone(await fixture.bundle(0));
    badHash.log.inclusionProof[0] = 'AAAA';
    assert.equal(statusOf(verifier.verify(badHash)).bundle, 'failed:VERIFY_BUNDLE_MALFORMED');
  });

  void test('consistency with an older checkpoint passes; a tampered proof fails', async () => {
    const older = await fixture.log.checkpointAt(4);
    assert.ok(older);
    const local = await buildFixture(2);
    const old = await local.log.latestCheckpoint();
    assert.ok(old);
    await local.log.append([new TextEncoder().encode('later attestation')]);
    await local.log.checkpoint();
    const localVerifier = new BundleVerifier(local.trust, defaultAttestationPort);
    const file = parseConsistencyProofFile(await buildConsistencyProofFile(local.log, old));
    const good = localVerifier.verify(await local.bundle(1), { consistency: file });
    assert.equal(statusOf(good)['log-consistency'], 'passed');
    assert.equal(good.ok, true);

    const tampered = { ...file, proof: file.proof.map((h, i) => (i === 0 ? h.map((b) => b ^ 1) : h)) };
    assert.equal(
      statusOf(localVerifier.verify(await local.bundle(1), { consistency: tampered }))['log-consistency'],
      'failed:LOG_CONSISTENCY_PROOF_INVALID',
    );
    const foreign = { ...file, oldCheckpoint: older.note };
    assert.equal(
      statusOf(localVerifier.verify(await local.bundle(1), { consistency: foreign }))['log-consistency'],
      'failed:LOG_CHECKPOINT_UNSIGNED',
    );
  });

  void test('a device read matching the attestation passes; other bytes or another chip fail', async () => {
    const bundle = await fixture.bundle(1);
    const good = verifier.verify(bundle, { deviceRead: deviceReadFor(1) });
    assert.equal(statusOf(good)['device-read'], 'passed');
    const secretHex = hex(fixture.devices[1]?.otpData.subarray(32, 48) ?? new Uint8Array());
    const goodDetail = good.checks.find((c) => c.check === 'device-read')?.detail ?? '';
    assert.match(goodDetail, /secret fields device_secret: commitment only, not checked/);
    assert.ok(!JSON.stringify(good).includes(secretHex), 'secret bytes never appear in a report');
    const data = fixture.devices[1]?.otpData.slice() ?? new Uint8Array();
    data[3] = 0x00; // one more bit cleared: what a later write would do
    const changed = deviceReadFor(1, { otp: { dataHex: hex(data), lockBytesHex: '00ff' } });
    const result = verifier.verify(bundle, { deviceRead: changed });
    assert.equal(statusOf(result)['device-read'], 'failed:VERIFY_DEVICE_READ_MISMATCH');
    assert.equal(result.ok, false);
    const otherChip = deviceReadFor(1, { uidHex: fixture.devices[2]?.attestation.chip.uidHex });
    const detail = verifier.verify(bundle, { deviceRead: otherChip }).checks.find((c) => c.check === 'device-read');
    assert.match(detail?.detail ?? '', /another chip/);
    assert.equal(
      statusOf(verifier.verify(bundle, { deviceRead: deviceReadFor(1, { productId: 0x419 }) }))['device-read'],
      'failed:VERIFY_DEVICE_READ_MISMATCH',
    );
  });

  void test("the station's own `read --json` shape is accepted, with secret bytes redacted as **", async () => {
    const bundle = await fixture.bundle(2);
    const device = fixture.devices[2];
    assert.ok(device);
    const dataHex = [...device.otpData].map((b, i) => (i >= 32 && i < 48 ? '**' : b.toString(16).padStart(2, '0')));
    const stationJson = {
      family: 'stm32f4',
      productId: 1043,
      bootloaderVersion: 0x31,
      uid: device.attestation.chip.uidHex,
      otpData: dataHex.join(''),
      lockBytes: hex(device.lockBytes),
      wire: { bytesSent: 1, bytesReceived: 2 },
    };
    assert.equal(
      statusOf(verifier.verify(bundle, { deviceRead: parseDeviceRead(stationJson) }))['device-read'],
      'passed',
    );
    const redactedElsewhere = { ...stationJson, otpData: `**${dataHex.slice(1).join('')}` };
    const result = verifier.verify(bundle, { deviceRead: parseDeviceRead(redactedElsewhere) });
    assert.equal(statusOf(result)['device-read'], 'failed:VERIFY_DEVICE_READ_MISMATCH');
    assert.match(result.checks.find((c) => c.check === 'device-read')?.detail ?? '', /redacts 1 non-secret byte/);
    assert.throws(() => parseDeviceRead({ ...stationJson, otpData: 'zz' }), { code: 'VERIFY_DEVICE_READ_MALFORMED' });
  });

  void test('verifyBundles counts passes and failures over JSON texts and objects', async () => {
    const good = JSON.stringify(await fixture.bundle(0));
    const broken = clone(await fixture.bundle(1));
    broken.log.leafIndex = 3;
    const summary = verifyBundles([good, await fixture.bundle(3), broken, '{not json'], verifier);
    assert.equal(summary.total, 4);
    assert.equal(summary.passed, 2);
    assert.deepEqual(
      summary.failures.map((f) => [f.index, f.checks.map((c) => c.code)]),
      [
        [2, ['LOG_INCLUSION_PROOF_INVALID']],
        [3, ['VERIFY_BUNDLE_MALFORMED']],
      ],
    );
  });
});
