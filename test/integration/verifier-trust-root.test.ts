// bin/ingrain-verify with one trust root file (issue 13, item 5): it replaces the four trust flags,
// is refused together with them, is refused naming the field when wrong; and the saved
// GET /v1/log/consistency answer is accepted by --consistency as is.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildConsistencyProofFile, encodePem, serializeTrustRoot, type StoredCheckpoint } from '#ingrain/crypto';
import { buildVerifierFixture, type VerifierFixture } from '#ingrain/crypto/testing';
import { binPath } from '../../testkit/paths.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let fixture: VerifierFixture;
let kept: StoredCheckpoint;

function verifyCli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath('ingrain-verify'), ...args], { cwd: dir }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

const write = (name: string, value: unknown): Promise<void> =>
  writeFile(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value, null, 2));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-verify-root-'));
  fixture = await buildVerifierFixture(2);
  const first = await fixture.log.latestCheckpoint();
  assert.ok(first);
  kept = first;
  await fixture.log.append([new TextEncoder().encode('a later leaf')]);
  await fixture.log.checkpoint();
  const { trust } = fixture;
  await write(
    'root.json',
    serializeTrustRoot({
      attestationPublicKeysSpkiDer: [trust.attestationPublicKeySpkiDer],
      deviceCaCertificatesPem: [trust.caCertificatePem],
      log: { origin: trust.origin, publicKeySpkiDer: trust.logPublicKeySpkiDer },
      witnesses: { keys: [], threshold: 0 },
    }),
  );
  await write('ca.pem', trust.caCertificatePem);
  await write('attestation.pem', encodePem('PUBLIC KEY', trust.attestationPublicKeySpkiDer));
  await write('bundle.json', await fixture.bundle(1));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('ingrain-verify --trust-root', () => {
  void test('one file instead of four flags: every check passes', async () => {
    const result = await verifyCli(['--trust-root', 'root.json', 'bundle.json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /VERIFIED: every check passed/);
  });

  void test('with any of the four flags it is a usage error naming them', async () => {
    const result = await verifyCli(['--trust-root', 'root.json', '--ca', 'ca.pem', 'bundle.json']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /error \[VERIFY_USAGE\]: --trust-root and --ca given together/);
  });

  void test('a wrong trust root exits 2 naming the field', async () => {
    const root = JSON.parse(
      serializeTrustRoot({
        attestationPublicKeysSpkiDer: [fixture.trust.attestationPublicKeySpkiDer],
        deviceCaCertificatesPem: [fixture.trust.caCertificatePem],
        log: { origin: fixture.trust.origin, publicKeySpkiDer: fixture.trust.logPublicKeySpkiDer },
        witnesses: { keys: [], threshold: 0 },
      }),
    ) as { log: { origin: string } };
    root.log.origin = 'another.example/log';
    await write('wrong-root.json', root);
    const result = await verifyCli(['--trust-root', 'wrong-root.json', 'bundle.json']);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /error \[VERIFY_TRUST_ROOT_INVALID\]: trust root: log\.verifierKey: is not the verifier key of log\.origin and log\.publicKey/,
    );
    const absent = await verifyCli(['--trust-root', 'no-such.json', 'bundle.json']);
    assert.equal(absent.code, 2);
    assert.match(absent.stderr, /VERIFY_INPUT_UNREADABLE/);
  });

  void test('--consistency takes the GET /v1/log/consistency answer as is', async () => {
    const latest = await fixture.log.latestCheckpoint();
    assert.ok(latest);
    const consistencyFile = await buildConsistencyProofFile(fixture.log, kept);
    await write('answer.json', {
      fromTreeSize: kept.treeSize,
      toTreeSize: latest.treeSize,
      newCheckpoint: latest.note,
      consistencyFile,
    });
    const result = await verifyCli(['--trust-root', 'root.json', '--consistency', 'answer.json', 'bundle.json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✓ log-consistency: tree size 3 extends tree size 2/);
    // An answer for an older target than the bundle's checkpoint: a mismatch, not a fork.
    await write('old-bundle.json', await fixture.bundle(1, kept));
    const mismatch = await verifyCli(['--trust-root', 'root.json', '--consistency', 'answer.json', 'old-bundle.json']);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stdout, /✗ log-consistency: .*\[VERIFY_CONSISTENCY_MISMATCH\]/);
    assert.doesNotMatch(mismatch.stdout, /fork/);
  });
});
