// The trust module against a real SoftHSM token, database and app: start-up refuses missing or
// wrong trust material (keys, CA certificate) with codes that say what to do; the app serves the
// ceremony's keys and CA; IdentityService issues under that CA; LogService appends attestations in
// the caller's transaction (rolled back with it, idempotent, only verified normal-form envelopes),
// and concurrent writers — several transactions, two "processes" — end in one consistent log.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import {
  Hsm,
  SERVICE_KEY_LABELS,
  SIGNING_PRIVATE_KEY_POLICY,
  SIGNING_PUBLIC_KEY_POLICY,
  buildAttestation,
  createCaCertificate,
  ensureServiceKeys,
  loadHsmConfig,
  serializeAttestationEnvelope,
  signAttestation,
  verifyCheckpoint,
  verifyConsistency,
  verifyDeviceCertificateChain,
  verifyInclusion,
  type Signer,
} from '#ingrain/crypto';
import { SoftwareSignerForTests, sampleDeviceForTests } from '#ingrain/crypto/testing';
import { parseLayout } from '#ingrain/otp';
import { LogReader } from '../../apps/api/src/audit/log-reader.js';
import { Database, type DatabaseKind } from '../../apps/api/src/database/index.js';
import { IdentityService } from '../../apps/api/src/identity/identity.service.js';
import { LogService } from '../../apps/api/src/log/log.service.js';
import {
  AttestationRepository,
  DeviceRepository,
  PgLogStore,
  Transactions,
} from '../../apps/api/src/repositories/index.js';
import { Metrics } from '../../apps/api/src/metrics/metrics.js';
import { TrustError, TrustModule, TrustService } from '../../apps/api/src/trust/index.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { createTestDatabase } from '../../testkit/database.js';
import { DATABASE_KINDS } from '../support/database.js';
import { REPO_ROOT } from '../../testkit/paths.js';
import { createTestToken } from '../../testkit/softhsm.js';

const isTrustError = (code: string) => (error: unknown) => error instanceof TrustError && error.code === code;

/** A normal-form envelope text signed by `signer` for a sample device (distinct per `seed`). */
async function envelopeText(signer: Signer, seed: string): Promise<string> {
  const { input } = sampleDeviceForTests(seed);
  const attestation = buildAttestation({ ...input, serial: `SN-${seed}`, deviceId: `dev-${seed}` });
  return serializeAttestationEnvelope(await signAttestation(attestation, signer));
}

const spkiOfPem = (pem: string): Buffer => createPublicKey(pem).export({ type: 'spki', format: 'der' });

void describe('trust material at start-up', () => {
  void test('a token without the service keys: the app does not start, and says to run the ceremony', async () => {
    await assert.rejects(
      startTestApi({ serviceKeys: false, extraModules: [TrustModule] }),
      (error: unknown) =>
        isTrustError('TRUST_KEY_MISSING')(error) &&
        /ingrain-admin hsm init/.test((error as Error).message) &&
        /'ingrain-device-ca'/.test((error as Error).message),
    );
  });

  void test('the CA certificate: missing, of another key, expired, then right; a broken inventory', async () => {
    const token = await createTestToken({ label: 'ingrain-trust-load' });
    const hsm = await Hsm.open(loadHsmConfig(token.env), { probe: false });
    const dir = await mkdtemp(join(tmpdir(), 'ingrain-trust-'));
    try {
      const config = { publicKeysDir: dir, logOrigin: 'ingrain.test/log/trust' };
      await assert.rejects(TrustService.load(hsm, config), isTrustError('TRUST_KEY_MISSING'));
      await ensureServiceKeys(hsm);
      await assert.rejects(TrustService.load(hsm, config), (error: unknown) => {
        return isTrustError('TRUST_CA_CERTIFICATE_MISSING')(error) && (error as Error).message.includes(dir);
      });

      const ca = join(dir, 'ca.pem');
      const foreign = new SoftwareSignerForTests('another-ca');
      await writeFile(
        ca,
        (await createCaCertificate({ signer: foreign, subjectCommonName: 'Other', validityDays: 9 })).pem,
      );
      await assert.rejects(TrustService.load(hsm, config), isTrustError('TRUST_CA_CERTIFICATE_MISMATCH'));
      await writeFile(ca, 'not a certificate');
      await assert.rejects(TrustService.load(hsm, config), isTrustError('TRUST_CA_CERTIFICATE_MISMATCH'));

      const caSigner = await hsm.findSigner(SERVICE_KEY_LABELS.deviceCa);
      const old = { signer: caSigner, subjectCommonName: 'Old CA', validityDays: 1, notBefore: new Date('2020-01-01') };
      await writeFile(ca, (await createCaCertificate(old)).pem);
      await assert.rejects(TrustService.load(hsm, config), isTrustError('TRUST_CA_CERTIFICATE_EXPIRED'));

      const good = await createCaCertificate({ signer: caSigner, subjectCommonName: 'Good CA', validityDays: 30 });
      await writeFile(ca, good.pem);
      const trust = await TrustService.load(hsm, config);
      assert.equal(trust.caCertificatePem, good.pem);
      assert.equal(trust.attestationSigner.label, SERVICE_KEY_LABELS.attestation);
      assert.equal(trust.logSigner.label, SERVICE_KEY_LABELS.log);
      const keys = trust.publicKeys();
      assert.deepEqual(keys.logOrigin, config.logOrigin);
      assert.deepEqual(spkiOfPem(keys.attestationPublicKeyPem), Buffer.from(trust.attestationSigner.publicKeySpkiDer));
      assert.deepEqual(spkiOfPem(keys.logPublicKeyPem), Buffer.from(trust.logSigner.publicKeySpkiDer));
      await trust.check();

      // A second key pair under a service label: the inventory is broken, start-up and readiness say so.
      const flags = { privateKey: SIGNING_PRIVATE_KEY_POLICY, publicKey: SIGNING_PUBLIC_KEY_POLICY };
      await hsm.generateTokenKeyPair(SERVICE_KEY_LABELS.log, flags);
      await assert.rejects(trust.check(), isTrustError('TRUST_KEY_INVALID'));
      await assert.rejects(TrustService.load(hsm, config), (error: unknown) => {
        return isTrustError('TRUST_KEY_INVALID')(error) && (error as Error).message.includes("'ingrain-log'");
      });
    } finally {
      await hsm.close();
      await token.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

void describe('TrustModule in the app', () => {
  let api: TestApi;
  let trust: TrustService;
  let logs: LogService;
  let logReader: LogReader;

  before(async () => {
    api = await startTestApi({ extraModules: [TrustModule] });
    trust = api.app.get(TrustService);
    logs = api.app.get(LogService);
    logReader = api.app.get(LogReader);
  });
  after(() => api?.close());

  void test("TrustService serves the ceremony's public keys and CA certificate", async () => {
    const file = (name: string) => readFile(join(api.publicKeysDir, name), 'utf8');
    const keys = trust.publicKeys();
    assert.equal(keys.caCertificatePem, await file('ca.pem'));
    assert.equal(keys.logOrigin, api.config.logOrigin);
    assert.deepEqual(spkiOfPem(keys.attestationPublicKeyPem), spkiOfPem(await file('ingrain-attestation.pub.pem')));
    assert.deepEqual(spkiOfPem(keys.logPublicKeyPem), spkiOfPem(await file('ingrain-log.pub.pem')));
  });

  void test('IdentityService issues chip-bound device certificates under the CA certificate', async () => {
    const read = (path: string) => readFile(join(REPO_ROOT, path), 'utf8');
    const layout = parseLayout(await read('examples/layouts/sensor-node.yaml'));
    const inputs = JSON.parse(await read('examples/values/sensor-node.json')) as Record<string, unknown>;
    const identity = await api.app
      .get(IdentityService)
      .issue({ product: 'sensor-node', serial: 'SN-TRUST-1', layout, inputs: { ...inputs, serial: 'SN-TRUST-1' } });
    const certificate = await api.app.get(IdentityService).certify({
      product: 'sensor-node',
      serial: 'SN-TRUST-1',
      publicKeySpkiDer: identity.publicKeySpkiDer,
      chipUidHex: '0123456789abcdef01234567',
    });
    const facts = verifyDeviceCertificateChain(certificate.pem, trust.caCertificatePem);
    assert.equal(facts.chipUidHex, '0123456789abcdef01234567');
    assert.equal(facts.serial, 'SN-TRUST-1');
    assert.equal(facts.product, 'sensor-node');
  });

  void test('the log starts with a signed checkpoint of the empty tree', async () => {
    const checkpoint = await logReader.latestCheckpoint();
    assert.equal(checkpoint.treeSize, 0);
    const verified = verifyCheckpoint(checkpoint.note, trust.logSigner.publicKeySpkiDer, api.config.logOrigin);
    assert.equal(verified.treeSize, 0);
  });

  void test('appendAttestation commits or rolls back with the caller, is covered by the next checkpoint, is idempotent', async () => {
    const text = await envelopeText(trust.attestationSigner, 'append');
    await assert.rejects(
      api.database.transaction(async (trx) => {
        assert.deepEqual(await logs.appendAttestation(new PgLogStore(trx), text), {
          leafIndex: 0,
          treeSize: 1,
          alreadyPresent: false,
        });
        throw new Error('the device update failed');
      }),
      /the device update failed/,
    );
    assert.equal((await logReader.latestCheckpoint()).treeSize, 0);
    assert.equal(await logReader.checkpointAt(1), undefined);

    const appended = await api.database.transaction((trx) => logs.appendAttestation(new PgLogStore(trx), text));
    assert.deepEqual(appended, { leafIndex: 0, treeSize: 1, alreadyPresent: false });
    const again = await api.database.transaction((trx) => logs.appendAttestation(new PgLogStore(trx), text));
    assert.deepEqual(again, { leafIndex: 0, treeSize: 1, alreadyPresent: true });

    const checkpoint = await logReader.latestCheckpoint();
    const verified = verifyCheckpoint(checkpoint.note, trust.logSigner.publicKeySpkiDer, api.config.logOrigin);
    assert.equal(verified.treeSize, 1);
    const proof = await logReader.inclusionProof(0);
    assert.deepEqual([proof.leafIndex, proof.treeSize], [0, 1]);
    verifyInclusion({ leafBytes: Buffer.from(text) }, 0, 1, proof.hashes, verified.rootHash);
  });

  void test('appendAttestation refuses text that is not a normal-form envelope of the attestation key', async () => {
    const text = await envelopeText(trust.attestationSigner, 'refused');
    const reformatted = JSON.stringify(JSON.parse(text), null, 2);
    const forged = await envelopeText(new SoftwareSignerForTests('not-the-attestation-key'), 'refused');
    const before = (await logReader.latestCheckpoint()).treeSize;
    const append = (body: string) =>
      api.database.transaction((trx) => logs.appendAttestation(new PgLogStore(trx), body));
    await assert.rejects(append(reformatted), isTrustError('TRUST_ENVELOPE_NOT_NORMAL'));
    await assert.rejects(append('{"payload":'), isTrustError('TRUST_ENVELOPE_NOT_NORMAL'));
    await assert.rejects(append(forged), { code: 'ATTESTATION_SIGNATURE_INVALID' });
    assert.equal((await logReader.latestCheckpoint()).treeSize, before);
  });

  for (const kind of DATABASE_KINDS) {
    void test(`concurrent appends on ${kind}: several transactions, two processes, one consistent log`, async () => {
      await concurrentAppends(kind, trust, api.config.logOrigin);
    });
  }

  // Last: it removes a key from the token.
  void test('readiness: trust is checked, and fails with TRUST_KEY_MISSING when a service key is gone', async () => {
    const ready = await api.http().get('/health/ready');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal((ready.body as { checks: Record<string, { status: string }> }).checks['trust']?.status, 'ok');

    await destroyTokenObjects(api.app.get(Hsm), SERVICE_KEY_LABELS.secretSeal);
    const broken = await api.http().get('/health/ready');
    assert.equal(broken.status, 503);
    const check = (broken.body as { checks: Record<string, { status: string; error?: string }> }).checks['trust'];
    assert.equal(check?.status, 'failed');
    assert.equal(check.error, 'TRUST_KEY_MISSING');
  });
});

/**
 * Writers in two "processes" (two Database handles; PGlite has one session, so there the
 * transactions queue) append 12 attestations at once, each holding its transaction open a little
 * after appending: no append fails, every leaf lands once, the appends sign nothing, one
 * checkpoint covers them all (both processes asking at once get the same one), and every leaf is provable in the final tree.
 */
async function concurrentAppends(kind: DatabaseKind, trust: TrustService, origin: string): Promise<void> {
  const testDb = await createTestDatabase(kind);
  const second = kind === 'postgres' ? await Database.open(testDb.config, { migrate: false }) : testDb.database;
  try {
    const metrics = [new Metrics(), new Metrics()] as const;
    const writers = [
      new LogService(new Transactions(testDb.database), trust, metrics[0]),
      new LogService(new Transactions(second), trust, metrics[1]),
    ];
    const databases = [testDb.database, second] as const;
    await writers[0]!.onModuleInit();
    const texts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => envelopeText(trust.attestationSigner, `c${i}`)),
    );
    const results = await Promise.all(
      texts.map((text, i) =>
        databases[i % 2]!.transaction(async (trx) => {
          const appended = await writers[i % 2]!.appendAttestation(new PgLogStore(trx), text);
          await delay(20);
          return appended;
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.leafIndex).sort((a, b) => a - b),
      Array.from({ length: 12 }, (_, i) => i),
    );
    for (const result of results) assert.equal(result.treeSize, result.leafIndex + 1);
    // The advisory lock serialized the writers: none had to retry after a conflict.
    for (const registry of metrics) {
      const retries = await registry.registry.getSingleMetric('ingrain_log_append_retries_total')?.get();
      assert.equal(retries?.values[0]?.value ?? 0, 0);
    }

    const db = testDb.database.kysely;
    const reader = new LogReader(
      new PgLogStore(db),
      new AttestationRepository(db),
      new DeviceRepository(db),
      trust,
      writers[0]!,
    );
    const logKey = trust.logSigner.publicKeySpkiDer;
    // Batched: the appends signed nothing; one integration (two processes asking at once) signs one
    // checkpoint covering all 12.
    assert.equal(await reader.checkpointAt(12), undefined);
    const covering = await Promise.all([writers[0]!.currentCheckpoint(), writers[1]!.currentCheckpoint()]);
    assert.deepEqual(
      covering.map((checkpoint) => checkpoint.treeSize),
      [12, 12],
    );
    assert.equal(covering[0].note, covering[1].note);
    let previous = verifyCheckpoint((await reader.checkpointAt(0))!.note, logKey, origin);
    let stored = 0;
    for (let size = 1; size <= 12; size++) {
      const kept = await reader.checkpointAt(size);
      if (kept === undefined) continue;
      stored++;
      const current = verifyCheckpoint(kept.note, logKey, origin);
      const proof = await reader.consistencyProof(previous.treeSize, size);
      verifyConsistency(previous.treeSize, size, proof, previous.rootHash, current.rootHash);
      previous = current;
    }
    assert.equal(stored, 1, 'one checkpoint for the 12 appends');
    for (const [i, text] of texts.entries()) {
      const leafIndex = results[i]!.leafIndex;
      const proof = await reader.inclusionProof(leafIndex, 12);
      verifyInclusion({ leafBytes: Buffer.from(text) }, leafIndex, 12, proof.hashes, previous.rootHash);
    }
  } finally {
    if (second !== testDb.database) await second.close();
    await testDb.cleanup();
  }
}

/** Deletes every token object labelled `label` (a key lost or removed by an operator). */
async function destroyTokenObjects(hsm: Hsm, label: string): Promise<void> {
  await hsm.withSession((session, module) => {
    module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
    const handles = module.C_FindObjects(session, 16);
    module.C_FindObjectsFinal(session);
    for (const handle of handles) module.C_DestroyObject(session, handle);
  });
}
