// An attestation logged the way S2's result endpoint does it, for tests of the log's readers.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  buildAttestation,
  issueDeviceCertificate,
  pooledRandomSource,
  serializeAttestationEnvelope,
  signAttestation,
} from '#ingrain/crypto';
import { sampleDeviceForTests } from '#ingrain/crypto/testing';
import { LogService } from '../../apps/api/src/log/log.service.js';
import { AttestationRepository, DeviceRepository, PgLogStore } from '../../apps/api/src/repositories/index.js';
import { TrustService } from '../../apps/api/src/trust/index.js';
import type { TestApi } from '../../testkit/api.js';
import { newDeviceFor, type SeededProduction } from './database.js';

/** One attestation logged by {@link provisionLogged}. */
export interface LoggedAttestation {
  readonly leafIndex: number;
  readonly deviceId: string;
  readonly serial: string;
  /** Hex. */
  readonly chipUid: string;
  readonly envelopeText: string;
  readonly seed: SeededProduction;
}

/** Provisions one device the way S2's result endpoint does; returns the logged envelope text. */
export async function provision(api: TestApi, seed: SeededProduction, serial: string): Promise<string> {
  return (await provisionLogged(api, seed, serial)).envelopeText;
}

/**
 * What the result endpoint does for a verified device, done directly: the device (with a
 * certificate under the HSM CA) is claimed, then in one transaction it becomes provisioned, its
 * signed attestation is appended to the log and the attestation row is stored.
 */
export async function provisionLogged(
  api: TestApi,
  seed: SeededProduction,
  serial: string,
): Promise<LoggedAttestation> {
  const trust = api.app.get(TrustService);
  const db = api.database.kysely;
  const chipUid = randomBytes(12);
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = await issueDeviceCertificate({
    issuer: trust.issuer,
    devicePublicKeySpkiDer: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    product: seed.productId,
    serial,
    random: pooledRandomSource(),
    notBefore: new Date(),
    validityDays: 365,
  });
  const overrides = {
    serial,
    certificateDer: certificate.der,
    certificateSha256: Buffer.from(certificate.fingerprintSha256, 'hex'),
  };
  const { device } = await new DeviceRepository(db).create(newDeviceFor(seed, overrides));
  await new DeviceRepository(db).claim(device.id, chipUid, seed.stationId);
  const { input } = sampleDeviceForTests(serial);
  const attestation = buildAttestation({
    ...input,
    deviceId: device.id,
    product: seed.productId,
    serial,
    chip: { ...input.chip, uidHex: chipUid.toString('hex') },
    deviceCertificateSha256: certificate.fingerprintSha256,
    stationId: seed.stationId,
    workOrderId: seed.workOrderId,
    jobId: device.id,
    provisionedAt: new Date(),
    attestedAt: new Date(),
  });
  const envelopeText = serializeAttestationEnvelope(await signAttestation(attestation, trust.attestationSigner));
  const leafIndex = await api.database.transaction(async (trx) => {
    assert.equal(await new DeviceRepository(trx).transition(device.id, 'provision', { actor: 'api' }), true);
    const { leafIndex } = await api.app.get(LogService).appendAttestation(new PgLogStore(trx), envelopeText);
    await new AttestationRepository(trx).insert({
      leafIndex,
      deviceId: device.id,
      envelope: envelopeText,
      serial,
      chipUid,
      productId: seed.productId,
      workOrderId: seed.workOrderId,
      stationId: seed.stationId,
    });
    return leafIndex;
  });
  return { leafIndex, deviceId: device.id, serial, chipUid: chipUid.toString('hex'), envelopeText, seed };
}
