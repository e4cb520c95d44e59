// bin/ingrain-verify end to end (compiled dist/): a real log of real signed attestations, bundles
// written to files, the CLI run as a separate process; every tampering must be caught and named.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  attestationLeafBytes,
  buildAttestation,
  buildConsistencyProofFile,
  buildVerificationBundle,
  commitSecretField,
  createCaCertificate,
  type DsseEnvelope,
  InMemoryLogStore,
  issueDeviceCertificate,
  maskSecretFields,
  type Signer,
  signAttestation,
  type StoredCheckpoint,
  TransparencyLog,
  type VerificationBundleDocument,
} from '#ingrain/crypto';
import { binPath } from '../../testkit/paths.js';

const ORIGIN = 'ingrain.example/log/cli-test';
const SECRET = { name: 'device_key', offsetBytes: 16, lengthBytes: 32 };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface Device {
  envelope: DsseEnvelope;
  certificatePem: string;
  leafIndex: number;
  otpData: Uint8Array;
  lockBytes: Uint8Array;
  uidHex: string;
}

/** A node:crypto key pair as a Signer (test double; production keys live in the HSM). */
function testSigner(label: string): Signer & { publicKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    label,
    publicKeySpkiDer: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    sign: (message) =>
      Promise.resolve(new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }))),
  };
}

let dir: string;
let log: TransparencyLog;
let caPem: string;
let oldCheckpoint: StoredCheckpoint;
const devices: Device[] = [];
const caSigner = testSigner('ca');
const attestationSigner = testSigner('attestation');
const logSigner = testSigner('log');

async function provision(i: number): Promise<Device> {
  const uidHex = randomBytes(12).toString('hex');
  const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = await issueDeviceCertificate({
    caSigner,
    caCertificatePem: caPem,
    devicePublicKeySpkiDer: new Uint8Array(device.publicKey.export({ format: 'der', type: 'spki' })),
    product: 'sensor',
    serial: `S-${i}`,
    chipUidHex: uidHex,
    random: (n) => Promise.resolve(new Uint8Array(randomBytes(n))),
    notBefore: new Date(),
    validityDays: 365,
  });
  const otpData = new Uint8Array(512).fill(0xff);
  otpData.fill(0x10 + i, 0, 16);
  otpData.set(randomBytes(SECRET.lengthBytes), SECRET.offsetBytes);
  const lockBytes = new Uint8Array(16).fill(0xff);
  lockBytes[0] = 0x00;
  const value = otpData.subarray(SECRET.offsetBytes, SECRET.offsetBytes + SECRET.lengthBytes);
  const attestation = buildAttestation({
    deviceId: `device-${i}`,
    product: 'sensor',
    serial: `S-${i}`,
    layout: { name: 'sensor-v1', version: 1, digestSha256: 'cd'.repeat(32) },
    chip: { family: 'stm32f4', productId: 0x413, uidHex },
    readBack: { data: maskSecretFields(otpData, [SECRET]), lockBytes },
    secretFields: [
      { ...SECRET, commitmentSha256: commitSecretField({ fieldName: SECRET.name, salt: randomBytes(32), value }) },
    ],
    deviceCertificateSha256: certificate.fingerprintSha256,
    stationId: 'station-7',
    jobId: `job-${i}`,
    provisionedAt: new Date(),
    attestedAt: new Date(),
  });
  const envelope = await signAttestation(attestation, attestationSigner);
  const [appended] = await log.append([attestationLeafBytes(envelope)]);
  return {
    envelope,
    certificatePem: certificate.pem,
    leafIndex: appended?.leafIndex ?? -1,
    otpData,
    lockBytes,
    uidHex,
  };
}

async function bundleOf(i: number): Promise<VerificationBundleDocument> {
  const device = devices[i];
  assert.ok(device);
  const source = {
    envelope: { ...device.envelope },
    leafIndex: device.leafIndex,
    deviceCertificatePem: device.certificatePem,
    caCertificatePem: caPem,
  };
  return buildVerificationBundle(log, source);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function deviceRead(i: number, edit: (data: Uint8Array, locks: Uint8Array) => void = () => undefined): object {
  const device = devices[i];
  assert.ok(device);
  const data = device.otpData.slice();
  const locks = device.lockBytes.slice();
  edit(data, locks);
  return {
    otp: { dataHex: hex(data), lockBytesHex: hex(locks) },
    uidHex: device.uidHex,
    family: 'stm32f4',
    productId: 0x413,
    port: '/dev/ttyUSB0',
  };
}

async function writeJson(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value, null, 2));
  return path;
}

const trustFlags = (): string[] => [
  '--attestation-key',
  'attestation.pub.pem',
  '--log-key',
  'log.pub.pem',
  '--ca',
  'ca.pem',
  '--origin',
  ORIGIN,
];

function verifyCli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath('ingrain-verify'), ...args], { cwd: dir }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

async function verifyBundle(name: string, bundle: unknown, extra: string[] = []): Promise<Result> {
  await writeJson(name, bundle);
  return verifyCli([...trustFlags(), ...extra, name]);
}

/** The ✗ line of a check, e.g. "✗ log-inclusion: … [LOG_INCLUSION_PROOF_INVALID]". */
function failedLine(result: Result, check: string): string {
  const line = result.stdout.split('\n').find((l) => l.startsWith(`✗ ${check}:`));
  assert.ok(line, `no ✗ line for ${check} in:\n${result.stdout}${result.stderr}`);
  return line;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-verify-cli-'));
  caPem = (await createCaCertificate({ signer: caSigner, subjectCommonName: 'CLI Test CA', validityDays: 365 })).pem;
  log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: logSigner });
  for (let i = 0; i < 2; i++) devices.push(await provision(i));
  oldCheckpoint = await log.checkpoint();
  for (let i = 2; i < 5; i++) devices.push(await provision(i));
  await log.checkpoint();
  await writeFile(join(dir, 'attestation.pub.pem'), attestationSigner.publicKeyPem);
  await writeFile(join(dir, 'log.pub.pem'), logSigner.publicKeyPem);
  await writeFile(join(dir, 'ca.pem'), caPem);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('ingrain-verify', () => {
  void test('a genuine bundle: one ✓ line per check and exit 0', async () => {
    const result = await verifyBundle('good.json', await bundleOf(3));
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], 'bundle good.json');
    assert.deepEqual(
      lines.slice(1, -1).map((l) => l.split(':')[0]),
      [
        '✓ bundle',
        '✓ attestation-signature',
        '✓ certificate-chain',
        '✓ certificate-binding',
        '✓ chip-binding',
        '✓ checkpoint',
        '✓ log-inclusion',
      ],
    );
    assert.match(result.stdout, /✓ log-inclusion: attestation is leaf 3 of the tree of size 5/);
    assert.equal(lines.at(-1), 'VERIFIED: every check passed');
  });

  void test('--json reports every check for automation', async () => {
    const result = await verifyBundle('good-json.json', await bundleOf(1), ['--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      total: number;
      bundles: { ok: boolean; checks: { check: string; status: string }[]; facts: { serial: string } }[];
    };
    assert.equal(report.ok, true);
    assert.equal(report.total, 1);
    assert.equal(report.bundles[0]?.facts.serial, 'S-1');
    assert.ok(report.bundles[0]?.checks.every((c) => c.status === 'passed'));
  });

  void test('an edited attestation payload: signature and inclusion fail, exit 1', async () => {
    const bundle = await bundleOf(0);
    const payload = String(bundle.attestation.payload);
    const at = payload.length >> 1;
    const swapped = payload[at] === 'A' ? 'B' : 'A';
    bundle.attestation = { ...bundle.attestation, payload: payload.slice(0, at) + swapped + payload.slice(at + 1) };
    const result = await verifyBundle('payload.json', bundle);
    assert.equal(result.code, 1);
    assert.match(failedLine(result, 'attestation-signature'), /\[ATTESTATION_SIGNATURE_INVALID\]$/);
    assert.match(failedLine(result, 'log-inclusion'), /\[LOG_INCLUSION_PROOF_INVALID\]$/);
    assert.match(result.stdout, /NOT VERIFIED/);
  });

  void test('a tampered inclusion proof element fails inclusion', async () => {
    const bundle = await bundleOf(2);
    const element = Buffer.from(bundle.log.inclusionProof[1] ?? '', 'base64');
    element[0] = (element[0] ?? 0) ^ 0x80;
    bundle.log.inclusionProof[1] = element.toString('base64');
    const result = await verifyBundle('proof.json', bundle);
    assert.equal(result.code, 1);
    assert.match(failedLine(result, 'log-inclusion'), /LOG_INCLUSION_PROOF_INVALID/);
    assert.match(result.stdout, /✓ attestation-signature/);
  });

  void test('an edited checkpoint fails its signature; inclusion is then not checked', async () => {
    const bundle = await bundleOf(2);
    bundle.log.checkpoint = bundle.log.checkpoint.replace(`${ORIGIN}\n5\n`, `${ORIGIN}\n6\n`);
    const result = await verifyBundle('checkpoint.json', bundle);
    assert.equal(result.code, 1);
    assert.match(failedLine(result, 'checkpoint'), /LOG_CHECKPOINT_SIGNATURE_INVALID/);
    assert.match(failedLine(result, 'log-inclusion'), /not checked: the checkpoint did not verify/);
  });

  void test("another device's certificate is caught by the binding check", async () => {
    const bundle = await bundleOf(4);
    bundle.deviceCertificatePem = devices[0]?.certificatePem ?? '';
    const result = await verifyBundle('certificate.json', bundle);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /✓ certificate-chain/);
    assert.match(failedLine(result, 'certificate-binding'), /VERIFY_CERTIFICATE_MISMATCH/);
  });

  void test('a certificate whose signature was altered fails the chain', async () => {
    const bundle = await bundleOf(4);
    const pem = bundle.deviceCertificatePem;
    const lines = pem.trim().split('\n');
    const der = Buffer.from(lines.slice(1, -1).join(''), 'base64');
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0x01; // inside the signature's s value
    bundle.deviceCertificatePem = `${lines[0]}\n${der.toString('base64')}\n${lines.at(-1)}\n`;
    const result = await verifyBundle('certificate-sig.json', bundle);
    assert.equal(result.code, 1);
    assert.match(failedLine(result, 'certificate-chain'), /CERT_SIGNATURE_INVALID/);
  });

  void test('the wrong origin is refused', async () => {
    await writeJson('origin.json', await bundleOf(0));
    const args = trustFlags();
    args[args.indexOf(ORIGIN)] = 'ingrain.example/log/elsewhere';
    const result = await verifyCli([...args, 'origin.json']);
    assert.equal(result.code, 1);
    assert.match(failedLine(result, 'checkpoint'), /LOG_CHECKPOINT_ORIGIN_MISMATCH/);
  });

  void test('--device-read: the device still holds what was attested; secrets never printed', async () => {
    // What `ingrain-station read --json --layout` prints: secret bytes redacted as **.
    const device = devices[3];
    assert.ok(device);
    const redacted = [...device.otpData].map((b, i) =>
      i >= SECRET.offsetBytes && i < SECRET.offsetBytes + SECRET.lengthBytes ? '**' : b.toString(16).padStart(2, '0'),
    );
    await writeJson('read-good.json', {
      family: 'stm32f4',
      productId: 0x413,
      bootloaderVersion: 0x31,
      uid: device.uidHex,
      otpData: redacted.join(''),
      lockBytes: hex(device.lockBytes),
    });
    const good = await verifyBundle('read.json', await bundleOf(3), ['--device-read', 'read-good.json']);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /✓ device-read: the chip holds the attested OTP data and lock bytes/);

    await writeJson(
      'read-bad.json',
      deviceRead(3, (data, locks) => {
        data[100] = 0x00;
        locks[5] = 0x00;
      }),
    );
    const bad = await verifyBundle('read.json', await bundleOf(3), ['--device-read', 'read-bad.json']);
    assert.equal(bad.code, 1);
    const line = failedLine(bad, 'device-read');
    assert.match(line, /offset 100/);
    assert.match(line, /lock byte of block 5/);
    assert.match(line, /VERIFY_DEVICE_READ_MISMATCH/);
    const secretHex = hex(devices[3]?.otpData.subarray(16, 48) ?? new Uint8Array());
    assert.ok(!(bad.stdout + good.stdout).includes(secretHex.slice(0, 16)), 'secret bytes must not be printed');

    await writeJson('read-other.json', deviceRead(2));
    const other = await verifyBundle('read.json', await bundleOf(3), ['--device-read', 'read-other.json']);
    assert.match(failedLine(other, 'device-read'), /another chip/);
  });

  void test('--consistency: the current checkpoint extends an older one; a bad proof fails', async () => {
    const file = await buildConsistencyProofFile(log, oldCheckpoint);
    await writeJson('consistency.json', file);
    const good = await verifyBundle('c.json', await bundleOf(4), ['--consistency', 'consistency.json']);
    assert.equal(good.code, 0, good.stdout);
    assert.match(good.stdout, /✓ log-consistency: tree size 5 extends tree size 2/);

    const element = Buffer.from(file.proof[0] ?? '', 'base64');
    element[31] = (element[31] ?? 0) ^ 0x01;
    await writeJson('consistency-bad.json', { ...file, proof: [element.toString('base64'), ...file.proof.slice(1)] });
    const bad = await verifyBundle('c.json', await bundleOf(4), ['--consistency', 'consistency-bad.json']);
    assert.equal(bad.code, 1);
    assert.match(failedLine(bad, 'log-consistency'), /LOG_CONSISTENCY_PROOF_INVALID/);
  });

  void test('a JSON Lines batch: one line per bundle, failures detailed, exit 1 if any fails', async () => {
    const broken = await bundleOf(1);
    broken.log.leafIndex = 0;
    const lines = [await bundleOf(0), await bundleOf(2), broken, await bundleOf(4)].map((b) => JSON.stringify(b));
    await writeFile(join(dir, 'batch.jsonl'), `${lines.join('\n')}\n`);
    const result = await verifyCli([...trustFlags(), 'batch.jsonl']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^✓ batch\.jsonl:1\n✓ batch\.jsonl:2\n✗ batch\.jsonl:3\n {4}✗ log-inclusion: /);
    assert.match(result.stdout, /NOT VERIFIED: 4 bundle\(s\), 3 passed, 1 failed\n$/);
  });

  void test('usage errors and unusable trust material exit 2 with the reason', async () => {
    const missing = await verifyCli(['good.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error \[VERIFY_USAGE\]: missing --attestation-key/);

    await writeFile(join(dir, 'not-a-key.pem'), 'hello');
    const args = trustFlags();
    args[args.indexOf('log.pub.pem')] = 'not-a-key.pem';
    const badKey = await verifyCli([...args, 'good.json']);
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /error \[VERIFY_TRUST_INVALID\]: not-a-key\.pem is not a PEM public key/);

    const absent = await verifyCli([...trustFlags(), 'no-such-bundle.json']);
    assert.equal(absent.code, 2);
    assert.match(absent.stderr, /VERIFY_INPUT_UNREADABLE/);
  });
});
