// Chip-bound device certificates against the real app (PGlite, SoftHSM, Redis), over HTTP: a
// requested device has no certificate yet; the claim issues it with the chip UID in the subject and
// the chip UID extension (OpenSSL shows both), a re-claim returns the same certificate, the
// report's attestation bundle verifies, and a bundle whose certificate names another chip is
// rejected with the chip-binding message. docs/certificates.md, "Chip binding".
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { BundleVerifier, CertificateOid, defaultAttestationPort, decodePem } from '#ingrain/crypto';
import { AuditModule } from '../../apps/api/src/audit/audit.module.js';
import { DeviceRequestsModule } from '../../apps/api/src/device-requests/device-requests.module.js';
import { IdentityService } from '../../apps/api/src/identity/identity.service.js';
import { JobsModule } from '../../apps/api/src/jobs/jobs.module.js';
import { TrustModule, TrustService } from '../../apps/api/src/trust/index.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { openClaim } from '../../testkit/sealed-claims.js';
import { randomChipUid, successReport } from '../../testkit/station-reports.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';

const run = promisify(execFile);
let api: TestApi;
let catalog: SeededCatalog;
let mes: string;
let auditor: string;
let station: string;
let dir: string;

interface DeviceBody {
  id: string;
  serial: string;
  certificatePem: string | null;
  certificateSha256: string | null;
}

const bearer = (token: string) => `Bearer ${token}`;

async function getDevice(id: string): Promise<DeviceBody> {
  const response = await api.http().get(`/v1/devices/${id}`).set('Authorization', bearer(mes));
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as DeviceBody;
}

async function claim(deviceId: string, chipUid: string) {
  const claimId = randomUUID();
  const response = await api
    .http()
    .post(`/v1/devices/${deviceId}/claim`)
    .set('Authorization', bearer(station))
    .send({ chipUid, claimId });
  return { response, claimId };
}

async function openssl(pem: string, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, pem);
  return (await run('openssl', ['x509', '-in', path, '-noout', '-text'])).stdout;
}

before(async () => {
  api = await startTestApi({ extraModules: [TrustModule, JobsModule, DeviceRequestsModule, AuditModule] });
  catalog = await seedCatalogRows(api.database.kysely, { quantity: 10 });
  mes = await api.createToken('mes', 'mes-chipcert');
  auditor = await api.createToken('auditor');
  station = await api.createToken('station', 'station-chipcert', catalog.stationId);
  dir = await mkdtemp(join(tmpdir(), 'ingrain-chipcert-'));
});

after(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

void describe('chip-bound device certificates', () => {
  test('request -> claim with a chip UID -> certificate carries it -> report -> the bundle verifies', async () => {
    const requested = await api
      .http()
      .post('/v1/devices')
      .set('Authorization', bearer(mes))
      .set('Idempotency-Key', randomUUID())
      .send({ workOrderId: catalog.workOrderId, inputs: catalog.inputs });
    assert.equal(requested.status, 202, JSON.stringify(requested.body));
    const created = requested.body as DeviceBody;
    assert.equal(created.certificatePem, null, 'no certificate before the chip is known');

    const chipUid = randomChipUid();
    const first = await claim(created.id, chipUid);
    assert.equal(first.response.status, 200, JSON.stringify(first.response.body));
    const certified = await getDevice(created.id);
    assert.ok(certified.certificatePem);

    const text = await openssl(certified.certificatePem, 'device.pem');
    assert.match(
      text,
      new RegExp(
        `Subject: OU ?= ?[^,]+, CN ?= ?${created.serial}, serialNumber ?= ?${created.serial}, ${CertificateOid.chipUidAttribute.replaceAll('.', '\\.')} ?= ?${chipUid}`,
      ),
    );
    // The chip UID extension by its OID, non-critical (OpenSSL would print "critical" after the colon).
    assert.match(text, new RegExp(`${CertificateOid.chipUidExtension.replaceAll('.', '\\.')}:\\s*\\n`));
    assert.match(text, /URI:urn:ingrain:chip-uid:/);
    const der = Buffer.from(decodePem(certified.certificatePem, 'CERTIFICATE'));
    assert.ok(der.includes(Buffer.from(`040c${chipUid}`, 'hex')), 'extnValue: OCTET STRING of the UID bytes');

    // A re-claim by the same chip (a job run twice): the same certificate, not a second one.
    const again = await claim(created.id, chipUid.toUpperCase());
    assert.equal(again.response.status, 200, JSON.stringify(again.response.body));
    assert.equal((await getDevice(created.id)).certificatePem, certified.certificatePem);
    // Another chip keeps today's refusal, and the certificate stays.
    const other = await claim(created.id, randomChipUid());
    assert.equal(other.response.status, 409);
    assert.equal((other.response.body as { code: string }).code, 'IDENTITY_BOUND_ELSEWHERE');
    assert.equal((await getDevice(created.id)).certificatePem, certified.certificatePem);

    const body = again.response.body as Parameters<typeof successReport>[0];
    const binding = {
      deviceId: created.id,
      chipUid: chipUid.toUpperCase(),
      claimId: again.claimId,
      stationId: catalog.stationId,
    };
    openClaim(again.response.body as never, catalog.stationKey.privateKey, binding);
    const answer = await api
      .http()
      .post(`/v1/devices/${created.id}/result`)
      .set('Authorization', bearer(station))
      .send(successReport(body));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { leafIndex } = (answer.body as { attestation: { leafIndex: number } }).attestation;

    const bundleResponse = await api
      .http()
      .get(`/v1/attestations/${leafIndex}/bundle`)
      .set('Authorization', bearer(auditor));
    assert.equal(bundleResponse.status, 200, JSON.stringify(bundleResponse.body));
    const bundle = bundleResponse.body as Record<string, unknown>;
    const trust = api.app.get(TrustService);
    const verifier = new BundleVerifier(
      {
        attestationPublicKeySpkiDer: trust.attestationSigner.publicKeySpkiDer,
        logPublicKeySpkiDer: trust.logSigner.publicKeySpkiDer,
        caCertificatePem: trust.caCertificatePem,
        origin: trust.logOrigin,
      },
      defaultAttestationPort,
    );
    const verified = verifier.verify(bundle);
    assert.equal(verified.ok, true, JSON.stringify(verified.checks));
    const chipCheck = verified.checks.find((c) => c.check === 'chip-binding');
    assert.match(
      chipCheck?.detail ?? '',
      new RegExp(
        `bound to the attested chip UID ${chipUid}; the attested OTP holds the certificate's public key SHA-256 at offset \\d+`,
      ),
    );

    // The same device key certified for another chip by the same CA: the chip binding rejects it.
    const otherUid = 'ffeeddccbbaa998877665544';
    const publicKeySpkiDer = new Uint8Array(
      createPublicKey(certified.certificatePem).export({ format: 'der', type: 'spki' }),
    );
    const forged = await api.app.get(IdentityService).certify({
      product: catalog.productId,
      serial: created.serial,
      publicKeySpkiDer,
      chipUidHex: otherUid,
    });
    const swapped = verifier.verify({ ...bundle, deviceCertificatePem: forged.pem });
    assert.equal(swapped.ok, false);
    assert.deepEqual(
      swapped.checks.find((c) => c.check === 'chip-binding'),
      {
        check: 'chip-binding',
        status: 'failed',
        code: 'VERIFY_CHIP_BINDING_MISMATCH',
        detail: `the certificate is bound to chip UID ${otherUid}, but the attestation is for chip UID ${chipUid}`,
      },
    );
  });
});
