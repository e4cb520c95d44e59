// One trust root (issue 13, item 5) against the real app and the real CLIs: GET /v1/trust-root and
// `ingrain-admin trust-root export` give the same bytes for the same deployment; the compiled
// verifier verifies a bundle the API served with that file alone, and takes the saved
// GET /v1/log/consistency answer as is. Needs the compiled dist/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseTrustRoot } from '#ingrain/crypto';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { binPath } from '../../testkit/paths.js';
import { randomChipUid, successReport, type ClaimedImage } from '../../testkit/station-reports.js';

const ORIGIN = 'factory.example/log/trust-root-test';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let api: TestApi;
let dir: string;
let catalog: SeededCatalog;
const tokens: Record<'auditor' | 'mes' | 'station', string> = { auditor: '', mes: '', station: '' };
let witnessEnv: Record<string, string>;

function witnessVkey(name: string): string {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const material = Buffer.concat([Uint8Array.of(0x04), raw]);
  const hash = createHash('sha256').update(`${name}\n`).update(material).digest().subarray(0, 4).toString('hex');
  return `${name}+${hash}+${material.toString('base64')}`;
}

function run(bin: 'ingrain-verify' | 'ingrain-admin', args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath(bin), ...args], { cwd: dir, env }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

const bearer = (token: string) => `Bearer ${token}`;
const get = (path: string, token = tokens.auditor) => api.http().get(path).set('Authorization', bearer(token));

/** A device provisioned the way a station does it (create, claim, verified result); returns its leaf index. */
async function provisionDevice(): Promise<number> {
  const created = await api
    .http()
    .post('/v1/devices')
    .set('Authorization', bearer(tokens.mes))
    .set('Idempotency-Key', randomUUID())
    .send({ workOrderId: catalog.workOrderId, inputs: catalog.inputs });
  assert.equal(created.status, 202, created.text);
  const id = (created.body as { id: string }).id;
  const claimed = await api
    .http()
    .post(`/v1/devices/${id}/claim`)
    .set('Authorization', bearer(tokens.station))
    .send({ chipUid: randomChipUid(), claimId: randomUUID() });
  assert.equal(claimed.status, 200, claimed.text);
  const result = await api
    .http()
    .post(`/v1/devices/${id}/result`)
    .set('Authorization', bearer(tokens.station))
    .send(successReport(claimed.body as ClaimedImage));
  assert.equal(result.status, 200, result.text);
  return (result.body as { attestation: { leafIndex: number } }).attestation.leafIndex;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-trust-root-'));
  witnessEnv = {
    INGRAIN_LOG_ORIGIN: ORIGIN,
    INGRAIN_TRUST_ROOT_WITNESS_KEYS: [witnessVkey('witness.example/a'), witnessVkey('witness.example/b')].join(','),
    INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD: '1',
  };
  api = await startTestApi({ env: witnessEnv });
  catalog = await seedCatalogRows(api.database.kysely, { quantity: 10 });
  tokens.auditor = await api.createToken('auditor', 'trust-root-auditor');
  tokens.mes = await api.createToken('mes', 'trust-root-mes');
  tokens.station = await api.createToken('station', 'trust-root-station', catalog.stationId);
});

after(async () => {
  await api?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

void describe('the trust root', () => {
  void test('GET /v1/trust-root: auditor and admin only; the witness policy of the configuration', async () => {
    const response = await get('/v1/trust-root');
    assert.equal(response.status, 200, response.text);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const root = parseTrustRoot(JSON.parse(response.text));
    assert.equal(root.log.origin, ORIGIN);
    assert.deepEqual(root.witnesses, {
      keys: witnessEnv['INGRAIN_TRUST_ROOT_WITNESS_KEYS']?.split(','),
      threshold: 1,
    });
    assert.equal((await get('/v1/trust-root', api.adminToken)).text, response.text);
    assert.equal((await get('/v1/trust-root', tokens.mes)).status, 403);
    assert.equal((await get('/v1/trust-root', tokens.station)).status, 403);
  });

  void test('`ingrain-admin trust-root export` writes the same bytes as the API serves', async () => {
    const env = {
      ...process.env,
      ...api.hsmToken.env,
      ...witnessEnv,
      INGRAIN_PUBLIC_KEYS_DIR: api.publicKeysDir,
      DATABASE_URL: '',
    };
    const written = await run('ingrain-admin', ['trust-root', 'export', '--out', 'root.json'], env);
    assert.equal(written.code, 0, written.stderr);
    const served = (await get('/v1/trust-root')).text;
    assert.equal(await readFile(join(dir, 'root.json'), 'utf8'), served);
    const printed = await run('ingrain-admin', ['trust-root', 'export'], env);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, served);
  });

  void test('a served bundle verifies with the trust root alone; the consistency answer is taken as is; its witness policy is enforced', async () => {
    await provisionDevice();
    const kept = (await get('/v1/log/checkpoint')).body as { treeSize: number };
    const leafIndex = await provisionDevice();
    await writeFile(join(dir, 'root.json'), (await get('/v1/trust-root')).text);
    const bundle = await get(`/v1/attestations/${leafIndex}/bundle`);
    assert.equal(bundle.status, 200, bundle.text);
    await writeFile(join(dir, 'bundle.json'), bundle.text);
    const consistency = await get(`/v1/log/consistency?from=${kept.treeSize}`);
    assert.equal(consistency.status, 200, consistency.text);
    await writeFile(join(dir, 'consistency.json'), consistency.text);
    const result = await run('ingrain-verify', [
      '--trust-root',
      'root.json',
      '--consistency',
      'consistency.json',
      'bundle.json',
    ]);
    assert.match(result.stdout, /✓ log-consistency: tree size \d+ extends tree size \d+/);
    assert.match(result.stdout, /VERIFIED: every check passed/);
    // The trust root names two witnesses (threshold 1) that never cosigned: the checkpoint is
    // unwitnessed, so the run fails on the policy alone (docs/witness.md).
    assert.match(result.stdout, /witness policy: FAIL \[WITNESS_POLICY_UNMET\] checkpoint at tree size \d+: 0 of 2/);
    assert.equal(result.code, 1, result.stdout + result.stderr);
  });
});
