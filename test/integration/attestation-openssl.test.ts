// Attestation envelopes checked the way docs/attestation.md tells an auditor to: with the openssl
// CLI and a shell, from the documented byte layouts, not with Ingrain's code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type Attestation,
  buildAttestation,
  commitSecretField,
  type DsseEnvelope,
  maskSecretFields,
  type Signer,
  signAttestation,
} from '#ingrain/crypto';

/** A node:crypto P-256 signer (test key; production keys live in the HSM). */
function softwareSigner(label: string): Signer & { publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    label,
    publicKey,
    publicKeySpkiDer: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    sign: (message) =>
      Promise.resolve(new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }))),
  };
}

let dir = '';
function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function ok(command: string, ...args: string[]): string {
  const result = run(command, args);
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}
/** Runs a bash script in the temp dir (the auditor's shell recipe). */
const bash = (script: string): string => ok('bash', '-euo', 'pipefail', '-c', script);

// The auditor's recipe from docs/attestation.md §Verifying by hand: decode, rebuild PAE, verify.
const REBUILD_PAE = `
openssl base64 -d -A -in payload.b64 -out payload.json
openssl base64 -d -A -in sig.b64 -out sig.der
TYPE=$(cat payloadType.txt)
printf 'DSSEv1 %d %s %d ' "$(printf '%s' "$TYPE" | wc -c)" "$TYPE" "$(wc -c < payload.json)" > pae.bin
cat payload.json >> pae.bin
`;

void describe('attestation envelopes with the openssl CLI', () => {
  const signer = softwareSigner('ingrain-attestation');
  const secretValue = randomBytes(32);
  const salt = randomBytes(32);
  let attestation: Attestation;
  let envelope: DsseEnvelope;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ingrain-attestation-openssl-'));
    const raw = new Uint8Array(512).fill(0xff);
    raw.set(Buffer.from('SN-000123'), 0);
    raw.set(secretValue, 64);
    const secret = { name: 'device_private_key', offsetBytes: 64, lengthBytes: 32 };
    attestation = buildAttestation({
      deviceId: 'dev_0001',
      product: 'sensor-node',
      serial: 'SN-000123',
      layout: { name: 'sensor-node', version: 1, digestSha256: 'ab'.repeat(32) },
      chip: { family: 'stm32f4', productId: 0x413, uidHex: '0123456789abcdef01234567' },
      readBack: { data: maskSecretFields(raw, [secret]), lockBytes: new Uint8Array(16).fill(0xff).fill(0, 0, 3) },
      secretFields: [
        { ...secret, commitmentSha256: commitSecretField({ fieldName: secret.name, salt, value: secretValue }) },
      ],
      deviceCertificateSha256: 'cd'.repeat(32),
      stationId: 'station-01',
      jobId: 'job-1',
      provisionedAt: new Date(),
      attestedAt: new Date(),
    });
    envelope = await signAttestation(attestation, signer);
    writeFileSync(join(dir, 'attestation.pub.pem'), signer.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'payload.b64'), envelope.payload);
    writeFileSync(join(dir, 'sig.b64'), envelope.signatures[0]!.sig);
    writeFileSync(join(dir, 'payloadType.txt'), envelope.payloadType);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  void test('openssl dgst verifies the DER signature over the PAE rebuilt by hand', () => {
    bash(REBUILD_PAE);
    assert.equal(
      readFileSync(join(dir, 'pae.bin'), 'latin1').slice(0, 54),
      'DSSEv1 43 application/vnd.ingrain.attestation.v1+json ',
    );
    assert.equal(
      ok('openssl', 'dgst', '-sha256', '-verify', 'attestation.pub.pem', '-signature', 'sig.der', 'pae.bin').trim(),
      'Verified OK',
    );
  });

  void test('openssl dgst refuses the PAE after any change to the payload', () => {
    bash(REBUILD_PAE);
    const payload = readFileSync(join(dir, 'payload.json'));
    payload[payload.indexOf('station-01') + 8] = 0x32; // station-01 → station-21
    writeFileSync(join(dir, 'payload.json'), payload);
    bash(
      `TYPE=$(cat payloadType.txt); printf 'DSSEv1 %d %s %d ' 43 "$TYPE" "$(wc -c < payload.json)" > pae.bin; cat payload.json >> pae.bin`,
    );
    const result = run('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      'attestation.pub.pem',
      '-signature',
      'sig.der',
      'pae.bin',
    ]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /Verification failure/);
  });

  void test('the payload is the attestation JSON; keyid and digests are reproducible with openssl', () => {
    bash(REBUILD_PAE);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'payload.json'), 'utf8')), attestation);
    const keyid = bash(
      'openssl pkey -pubin -in attestation.pub.pem -outform DER | openssl dgst -sha256 -r | cut -d" " -f1',
    ).trim();
    assert.equal(keyid, envelope.signatures[0]!.keyid);
    writeFileSync(join(dir, 'data.hex'), attestation.otp.dataHex);
    const dataDigest = bash(
      `"${process.execPath}" -e 'process.stdout.write(Buffer.from(require("fs").readFileSync("data.hex","utf8"),"hex"))' | openssl dgst -sha256 -r | cut -d" " -f1`,
    ).trim();
    assert.equal(dataDigest, attestation.otp.dataSha256);
  });

  void test('the secret-field commitment is reproducible from the documented preimage', () => {
    const hexEscapes = (bytes: Uint8Array): string =>
      [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
    const script = [
      `printf 'ingrain.attestation.v1.secret-field-commitment\\x00' > preimage.bin`,
      `printf '\\x00\\x00\\x00\\x12device_private_key' >> preimage.bin`,
      `printf '\\x00\\x00\\x00\\x20${hexEscapes(salt)}' >> preimage.bin`,
      `printf '\\x00\\x00\\x00\\x20${hexEscapes(secretValue)}' >> preimage.bin`,
      `openssl dgst -sha256 -r preimage.bin | cut -d" " -f1`,
    ].join('\n');
    assert.equal(bash(script).trim(), attestation.otp.secretFields[0]!.commitmentSha256);
  });
});
