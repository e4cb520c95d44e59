// bin/ingrain-admin hsm init|status against a real SoftHSM token (runs the compiled dist/).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { binPath } from '../../testkit/paths.js';
import { createTestToken, type TestToken } from '../../testkit/softhsm.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface InitJson {
  keys: { label: string; fingerprint: string; created: boolean; publicKeyFile?: string }[];
  caCertificate: { file: string; created: boolean; fingerprintSha256: string };
}

let token: TestToken;
let workDir: string;

before(async () => {
  token = await createTestToken();
  workDir = await mkdtemp(join(tmpdir(), 'ingrain-admin-'));
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
  await token?.cleanup();
});

function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('INGRAIN_HSM_')) delete env[name];
  return env;
}

function admin(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [binPath('ingrain-admin'), ...args],
      { cwd: workDir, env: { ...baseEnv(), ...token.env, ...extraEnv } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

async function initJson(outDir: string): Promise<InitJson> {
  const result = await admin(['hsm', 'init', '--out', outDir, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as InitJson;
}

void describe('ingrain-admin hsm', () => {
  void test('status before the ceremony: probe ok, service keys missing', async () => {
    const result = await admin(['hsm', 'status']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /capability probe: ok/);
    assert.match(result.stdout, /ingrain-device-ca\s+ECDSA P-256\s+missing/);
  });

  void test('init twice gives the same fingerprints, public keys and CA certificate', async () => {
    const outDir = join(workDir, 'ceremony');
    const first = await initJson(outDir);
    assert.deepEqual(
      first.keys.map((key) => [key.label, key.created]),
      [
        ['ingrain-device-ca', true],
        ['ingrain-attestation', true],
        ['ingrain-log', true],
        ['ingrain-derivation-master', true],
        ['ingrain-secret-seal', true],
      ],
    );
    const second = await initJson(outDir);
    assert.ok(second.keys.every((key) => !key.created));
    assert.deepEqual(
      second.keys.map((key) => key.fingerprint),
      first.keys.map((key) => key.fingerprint),
    );
    assert.equal(first.caCertificate.created, true);
    assert.equal(second.caCertificate.created, false);
    assert.equal(second.caCertificate.fingerprintSha256, first.caCertificate.fingerprintSha256);

    for (const key of first.keys.filter((entry) => entry.publicKeyFile !== undefined)) {
      const pem = await readFile(key.publicKeyFile!, 'utf8');
      const spki = createPublicKey(pem).export({ type: 'spki', format: 'der' });
      assert.equal(key.fingerprint, `sha256:${createHash('sha256').update(spki).digest('hex')}`);
    }
    assert.match(first.keys[3]?.fingerprint ?? '', /^kcv:[0-9a-f]{16}$/);
    assert.match(first.keys[4]?.fingerprint ?? '', /^kcv:[0-9a-f]{16}$/);

    const certificate = new X509Certificate(await readFile(join(outDir, 'ca.pem'), 'utf8'));
    const caKey = createPublicKey(await readFile(join(outDir, 'ingrain-device-ca.pub.pem'), 'utf8'));
    assert.ok(certificate.ca);
    assert.ok(certificate.verify(caKey), 'self-signed by the HSM device CA key');
    assert.equal(createHash('sha256').update(certificate.raw).digest('hex'), first.caCertificate.fingerprintSha256);
  });

  void test('text output names every key with its algorithm and fingerprint', async () => {
    const result = await admin(['hsm', 'init', '--out', join(workDir, 'ceremony')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /ingrain-log\s+ECDSA P-256\s+sha256:[0-9a-f]{64}\s+present/);
    assert.match(result.stdout, /ingrain-derivation-master\s+HMAC-SHA256.*kcv:[0-9a-f]{16}\s+present/);
    assert.match(result.stdout, /ingrain-secret-seal\s+AES-256-GCM\s+kcv:[0-9a-f]{16}\s+present/);
    const status = await admin(['hsm', 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { inventory: { assessment: { status: string } }[] };
    assert.deepEqual(
      parsed.inventory.map((entry) => entry.assessment.status),
      ['ok', 'ok', 'ok', 'ok', 'ok'],
    );
  });

  void test('never overwrites a different earlier output (ADMIN_OUTPUT_CONFLICT)', async () => {
    const outDir = join(workDir, 'foreign');
    await initJson(outDir);
    const foreignKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4',
        y: '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM',
      },
      format: 'jwk',
    });
    const foreignPem = foreignKey.export({ type: 'spki', format: 'pem' }).toString();
    await writeFile(join(outDir, 'ingrain-log.pub.pem'), foreignPem);
    const result = await admin(['hsm', 'init', '--out', outDir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ADMIN_OUTPUT_CONFLICT.*ingrain-log\.pub\.pem/);
    assert.equal(await readFile(join(outDir, 'ingrain-log.pub.pem'), 'utf8'), foreignPem);
  });

  void test('a wrong PIN fails with HSM_LOGIN_FAILED and the PIN appears nowhere', async () => {
    const pin = 'cli-wrong-pin-0c4f2a';
    const result = await admin(['hsm', 'status'], { INGRAIN_HSM_PIN_FILE: '', INGRAIN_HSM_PIN: pin });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /HSM_LOGIN_FAILED.*CKR_PIN_INCORRECT/);
    assert.ok(!`${result.stdout}${result.stderr}`.includes(pin));
    assert.ok(!`${result.stdout}${result.stderr}`.includes(token.userPin));
  });

  void test('there is no PIN argument, and usage errors exit 2', async () => {
    const result = await admin(['hsm', 'init', '--pin', token.userPin]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ADMIN_USAGE/);
    const positional = await admin(['hsm', 'status', token.userPin]);
    assert.equal(positional.code, 2);
    assert.ok(!positional.stderr.includes(token.userPin), 'a PIN typed as an argument is not echoed');
    assert.equal((await admin(['nope'])).code, 2);
    assert.equal((await admin([])).code, 2);
  });
});
