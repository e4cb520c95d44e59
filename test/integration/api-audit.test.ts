// The auditor's endpoints against the real app: attestations are logged the way provisioning does
// it (device certificate under the HSM CA, attestation signed by the HSM attestation key, appended
// through LogService with the state change and the attestation row in one transaction), then read
// back over HTTP. What the API hands out must satisfy the compiled offline verifier
// (bin/ingrain-verify): bundles and consistency proofs verify, tampered ones do not. Every endpoint
// answers only auditors. Needs the compiled dist/ (npx tsc -p tsconfig.build.json).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  noteVerifierKeyString,
  serializeAttestationEnvelope,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '#ingrain/crypto';
import type { Response } from 'supertest';
import { AuditModule } from '../../apps/api/src/audit/audit.module.js';
import type { Role } from '../../apps/api/src/auth/roles.js';
import { TrustModule, TrustService } from '../../apps/api/src/trust/index.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedProduction, type SeededProduction } from '../support/database.js';
import { binPath } from '../../testkit/paths.js';
import { type LoggedAttestation, provisionLogged } from '../support/logged-attestation.js';

type Logged = LoggedAttestation;

interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: string;
  note: string;
}

interface KeysBody {
  attestationPublicKeyPem: string;
  logPublicKeyPem: string;
  caCertificatePem: string;
  logOrigin: string;
}

let api: TestApi;
let dir: string;
let auditor: string;
const tokens = new Map<Role, string>();
const logged: Logged[] = [];
let seeds: SeededProduction[];
/** The checkpoint an auditor kept after the first two attestations. */
let keptCheckpoint: CheckpointBody;

/** A logged attestation, as the result endpoint makes it (test/support/logged-attestation.ts). */
const provisionDevice = (seed: SeededProduction, serial: string): Promise<Logged> => provisionLogged(api, seed, serial);

/** GET as the auditor, as another token, or (null) without a token. */
const get = (path: string, token: string | null = auditor) => {
  const request = api.http().get(path);
  return token === null ? request : request.set('Authorization', `Bearer ${token}`);
};

function assertProblem(response: Response, status: number, code: string, path?: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  const body = response.body as { code: string; errors: { path: string }[] };
  assert.equal(body.code, code);
  if (path !== undefined)
    assert.ok(
      body.errors.some((issue) => issue.path === path),
      JSON.stringify(body.errors),
    );
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function verifyCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath('ingrain-verify'), ...args], { cwd: dir }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

/** Writes the trust material exactly as GET /v1/keys gives it; returns the verifier's trust flags. */
async function trustFlags(): Promise<string[]> {
  const keys = (await get('/v1/keys')).body as KeysBody;
  await writeFile(join(dir, 'attestation.pub.pem'), keys.attestationPublicKeyPem);
  await writeFile(join(dir, 'log.pub.pem'), keys.logPublicKeyPem);
  await writeFile(join(dir, 'ca.pem'), keys.caCertificatePem);
  return [
    '--attestation-key',
    'attestation.pub.pem',
    '--log-key',
    'log.pub.pem',
    '--ca',
    'ca.pem',
    '--origin',
    keys.logOrigin,
  ];
}

async function writeJson(name: string, value: unknown): Promise<string> {
  await writeFile(join(dir, name), JSON.stringify(value));
  return name;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-api-audit-'));
  api = await startTestApi({
    extraModules: [TrustModule, AuditModule],
    env: { INGRAIN_AUTH_FAILURE_LIMIT: '1000' },
  });
  for (const role of ['admin', 'mes', 'auditor'] as const) tokens.set(role, await api.createToken(role));
  seeds = [await seedProduction(api.database.kysely), await seedProduction(api.database.kysely)];
  tokens.set('station', await api.createToken('station', 'audit-station', seeds[0]!.stationId));
  auditor = tokens.get('auditor')!;
  logged.push(await provisionDevice(seeds[0]!, 'AUD-0001'));
  logged.push(await provisionDevice(seeds[1]!, 'AUD-0002'));
  keptCheckpoint = (await get('/v1/log/checkpoint')).body as CheckpointBody;
  logged.push(await provisionDevice(seeds[0]!, 'AUD-0003'));
});

after(async () => {
  await api?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

void describe('audit endpoints', () => {
  void test('every endpoint answers auditors only: other roles 403, no token 401', async () => {
    const paths = [
      '/v1/attestations',
      '/v1/attestations/0',
      '/v1/attestations/0/bundle',
      '/v1/log/checkpoint',
      '/v1/log/consistency?from=2',
      '/v1/keys',
    ];
    for (const path of paths) {
      assert.equal((await get(path)).status, 200, path);
      assertProblem(await get(path, null), 401, 'AUTH_REQUIRED');
      for (const role of ['admin', 'mes', 'station'] as const) {
        assertProblem(await get(path, tokens.get(role) ?? null), 403, 'ROLE_FORBIDDEN');
      }
    }
  });

  void test('GET /v1/keys: the public halves of the HSM keys, the CA certificate, the origin', async () => {
    const trust = api.app.get(TrustService);
    // Issue 13: /v1/keys also serves the log key as a signed-note verifier key (docs/witness.md).
    const logVerifierKey = noteVerifierKeyString(api.config.logOrigin, trust.logSigner.publicKeySpkiDer);
    assert.deepEqual((await get('/v1/keys')).body, { ...trust.publicKeys(), logVerifierKey });
    const body = (await get('/v1/keys')).body as KeysBody;
    assert.match(body.attestationPublicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.equal(body.logOrigin, api.config.logOrigin);
  });

  void test('GET /v1/attestations: every filter, in log order, paginated', async () => {
    const indices = async (query: string) => {
      const response = await get(`/v1/attestations${query}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return (response.body as { attestations: { leafIndex: number }[] }).attestations.map((a) => a.leafIndex);
    };
    const [first, second, third] = logged as [Logged, Logged, Logged];
    assert.deepEqual(await indices(''), [0, 1, 2]);
    assert.deepEqual(await indices(`?serial=${second.serial}`), [second.leafIndex]);
    assert.deepEqual(await indices(`?chipUid=${third.chipUid.toUpperCase()}`), [third.leafIndex]);
    assert.deepEqual(await indices(`?productId=${seeds[0]!.productId}`), [first.leafIndex, third.leafIndex]);
    assert.deepEqual(await indices(`?workOrderId=${seeds[1]!.workOrderId}`), [second.leafIndex]);
    assert.deepEqual(await indices(`?stationId=${seeds[0]!.stationId}&serial=${third.serial}`), [third.leafIndex]);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual(await indices(`?from=${hourAgo}&to=${inAnHour}`), [0, 1, 2]);
    assert.deepEqual(await indices(`?to=${hourAgo}`), []);

    const page = await get('/v1/attestations?limit=2');
    const nextCursor = (page.body as { nextCursor: string | null }).nextCursor;
    assert.deepEqual(
      { ...(page.body as object), attestations: undefined },
      { attestations: undefined, limit: 2, offset: 0, nextOffset: 2, nextCursor },
    );
    const byCursor = (await get(`/v1/attestations?limit=2&cursor=${nextCursor ?? ''}`)).body as {
      attestations: { leafIndex: number }[];
      nextCursor: unknown;
    };
    assert.deepEqual([byCursor.attestations.map((a) => a.leafIndex), byCursor.nextCursor], [[2], null]);
    const last = (await get('/v1/attestations?limit=2&offset=2')).body as {
      attestations: object[];
      nextOffset: unknown;
    };
    assert.equal(last.attestations.length, 1);
    assert.equal(last.nextOffset, null);
    assert.deepEqual((page.body as { attestations: object[] }).attestations[0], {
      leafIndex: 0,
      deviceId: first.deviceId,
      serial: first.serial,
      chipUid: first.chipUid,
      productId: seeds[0]!.productId,
      workOrderId: seeds[0]!.workOrderId,
      stationId: seeds[0]!.stationId,
      createdAt: (page.body as { attestations: { createdAt: string }[] }).attestations[0]!.createdAt,
    });
  });

  void test('bad input is a 400 naming the field; unknown things are 404', async () => {
    assertProblem(await get('/v1/attestations?chipUid=xyz'), 400, 'VALIDATION_FAILED', 'query.chipUid');
    assertProblem(await get('/v1/attestations?limit=0'), 400, 'VALIDATION_FAILED', 'query.limit');
    assertProblem(await get('/v1/attestations?workOrderId=7'), 400, 'VALIDATION_FAILED', 'query.workOrderId');
    assertProblem(await get('/v1/attestations?from=yesterday'), 400, 'VALIDATION_FAILED', 'query.from');
    const now = new Date().toISOString();
    assertProblem(await get(`/v1/attestations?from=${now}&to=${now}`), 400, 'VALIDATION_FAILED', 'query.to');
    assertProblem(await get('/v1/attestations?color=red'), 400, 'VALIDATION_FAILED', 'query.color');
    assertProblem(await get('/v1/attestations/abc'), 400, 'VALIDATION_FAILED', 'path.leafIndex');
    assertProblem(await get('/v1/attestations/-1/bundle'), 400, 'VALIDATION_FAILED', 'path.leafIndex');
    assertProblem(await get('/v1/attestations/99999999999999999'), 400, 'VALIDATION_FAILED', 'path.leafIndex');
    assertProblem(await get('/v1/attestations/3'), 404, 'ATTESTATION_NOT_FOUND');
    assertProblem(await get('/v1/attestations/3/bundle'), 404, 'ATTESTATION_NOT_FOUND');
    assertProblem(await get('/v1/log/consistency'), 400, 'VALIDATION_FAILED', 'query.from');
    assertProblem(await get('/v1/log/consistency?from=3&to=2'), 400, 'VALIDATION_FAILED', 'query.from');
    assertProblem(await get('/v1/log/consistency?from=4'), 404, 'CHECKPOINT_NOT_FOUND', 'query.from');
    assertProblem(await get('/v1/log/consistency?from=1&to=9'), 404, 'CHECKPOINT_NOT_FOUND', 'query.to');
  });

  void test('GET /v1/attestations/{leafIndex}: the logged envelope, decoded, with a proof that verifies', async () => {
    const target = logged[1]!;
    const response = await get(`/v1/attestations/${target.leafIndex}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const body = response.body as {
      envelope: object;
      attestation: { serial: string; deviceId: string; chip: { uidHex: string } };
      inclusionProof: { treeSize: number; hashes: string[] };
      checkpoint: CheckpointBody;
      serial: string;
    };
    assert.equal(serializeAttestationEnvelope(body.envelope), target.envelopeText);
    assert.deepEqual(
      [body.serial, body.attestation.serial, body.attestation.deviceId, body.attestation.chip.uidHex],
      [target.serial, target.serial, target.deviceId, target.chipUid],
    );
    const trust = api.app.get(TrustService);
    const checkpoint = verifyCheckpoint(body.checkpoint.note, trust.logSigner.publicKeySpkiDer, api.config.logOrigin);
    assert.equal(checkpoint.treeSize, 3);
    assert.deepEqual(
      { treeSize: body.checkpoint.treeSize, rootHash: body.checkpoint.rootHash, origin: body.checkpoint.origin },
      { treeSize: 3, rootHash: Buffer.from(checkpoint.rootHash).toString('base64'), origin: api.config.logOrigin },
    );
    assert.equal(body.inclusionProof.treeSize, 3);
    const proof = body.inclusionProof.hashes.map((hash) => Buffer.from(hash, 'base64'));
    verifyInclusion({ leafBytes: Buffer.from(target.envelopeText) }, target.leafIndex, 3, proof, checkpoint.rootHash);
  });

  void test('bundles verify with bin/ingrain-verify; a tampered bundle does not', async () => {
    const flags = await trustFlags();
    const names: string[] = [];
    for (const { leafIndex } of logged) {
      const response = await get(`/v1/attestations/${leafIndex}/bundle`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      names.push(await writeJson(`bundle-${leafIndex}.json`, response.body));
    }
    const passed = await verifyCli([...flags, '--json', ...names]);
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    const report = JSON.parse(passed.stdout) as { ok: boolean; passed: number; bundles: { leafIndex: number }[] };
    assert.deepEqual([report.ok, report.passed], [true, 3]);
    assert.deepEqual(
      report.bundles.map((bundle) => bundle.leafIndex),
      [0, 1, 2],
    );

    const bundle = (await get('/v1/attestations/1/bundle')).body as {
      log: { leafIndex: number };
      caCertificatePem: string;
    };
    const wrongLeaf = await writeJson('wrong-leaf.json', { ...bundle, log: { ...bundle.log, leafIndex: 0 } });
    const failed = await verifyCli([...flags, wrongLeaf]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /LOG_INCLUSION_PROOF_INVALID/);

    const envelope = (bundle as unknown as { attestation: { payload: string } }).attestation;
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { serial: string };
    const edited = Buffer.from(JSON.stringify({ ...payload, serial: 'AUD-9999' })).toString('base64');
    const forged = await writeJson('forged.json', { ...bundle, attestation: { ...envelope, payload: edited } });
    const refused = await verifyCli([...flags, forged]);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /ATTESTATION_SIGNATURE_INVALID/);
  });

  void test('a consistency proof from a kept checkpoint verifies, offline and with the verifier', async () => {
    assert.equal(keptCheckpoint.treeSize, 2);
    const response = await get(`/v1/log/consistency?from=${keptCheckpoint.treeSize}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const body = response.body as {
      fromTreeSize: number;
      toTreeSize: number;
      newCheckpoint: string;
      consistencyFile: { format: string; oldCheckpoint: string; proof: string[] };
    };
    assert.deepEqual([body.fromTreeSize, body.toTreeSize], [2, 3]);
    assert.equal(body.consistencyFile.oldCheckpoint, keptCheckpoint.note);
    assert.equal(body.newCheckpoint, ((await get('/v1/log/checkpoint')).body as CheckpointBody).note);

    const logKey = api.app.get(TrustService).logSigner.publicKeySpkiDer;
    const older = verifyCheckpoint(keptCheckpoint.note, logKey, api.config.logOrigin);
    const newer = verifyCheckpoint(body.newCheckpoint, logKey, api.config.logOrigin);
    const proof = body.consistencyFile.proof.map((hash) => Buffer.from(hash, 'base64'));
    verifyConsistency(2, 3, proof, older.rootHash, newer.rootHash);

    const flags = await trustFlags();
    const bundle = await writeJson('latest.json', (await get('/v1/attestations/2/bundle')).body);
    const consistency = await writeJson('consistency.json', body.consistencyFile);
    const passed = await verifyCli([...flags, '--consistency', consistency, bundle]);
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /log-consistency/);

    const [first, ...rest] = body.consistencyFile.proof;
    const flipped = Buffer.from(first!, 'base64');
    flipped[0]! ^= 1;
    const forged = { ...body.consistencyFile, proof: [flipped.toString('base64'), ...rest] };
    const failed = await verifyCli([
      ...flags,
      '--consistency',
      await writeJson('forged-consistency.json', forged),
      bundle,
    ]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /LOG_CONSISTENCY_PROOF_INVALID/);

    const sameSize = (await get('/v1/log/consistency?from=3&to=3')).body as { consistencyFile: { proof: string[] } };
    assert.deepEqual(sameSize.consistencyFile.proof, []);
  });
});
