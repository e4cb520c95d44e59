// TEST FIXTURE: real CA and device certificates, real signed attestations, a real log and checkpoints.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  type Attestation,
  attestationLeafBytes,
  buildAttestation,
  commitSecretField,
  type DsseEnvelope,
  maskSecretFields,
  signAttestation,
} from '../../attestation/index.js';
import { createCaCertificate, issueDeviceCertificate } from '../../certs/index.js';
import { InMemoryLogStore, type StoredCheckpoint, TransparencyLog } from '../../log/index.js';
import { SoftwareSignerForTests } from '../../testing/index.js';
import { buildVerificationBundle } from '../bundle-builder.js';
import type { VerificationBundleDocument } from '../formats.js';
import type { VerifierTrustInput } from '../trust.js';

export const ORIGIN = 'ingrain.example/log/verify-unit';
const SECRET = { name: 'device_secret', offsetBytes: 32, lengthBytes: 16 };

export interface FixtureDevice {
  readonly attestation: Attestation;
  readonly envelope: DsseEnvelope;
  readonly certificatePem: string;
  readonly leafIndex: number;
  /** What the chip really holds (secret bytes included): the source of device reads. */
  readonly otpData: Uint8Array;
  readonly lockBytes: Uint8Array;
}

export interface Fixture {
  readonly trust: VerifierTrustInput;
  readonly log: TransparencyLog;
  readonly devices: readonly FixtureDevice[];
  readonly caCertificatePem: string;
  bundle(deviceIndex: number, checkpoint?: StoredCheckpoint): Promise<VerificationBundleDocument>;
}

const random = (n: number): Promise<Uint8Array> => Promise.resolve(new Uint8Array(randomBytes(n)));

async function makeDevice(
  i: number,
  caSigner: SoftwareSignerForTests,
  caPem: string,
  attestationSigner: SoftwareSignerForTests,
  chipBound = true,
) {
  const uidHex = randomBytes(12).toString('hex');
  const deviceKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = await issueDeviceCertificate({
    caSigner,
    caCertificatePem: caPem,
    devicePublicKeySpkiDer: new Uint8Array(deviceKey.publicKey.export({ format: 'der', type: 'spki' })),
    product: 'widget',
    serial: `SN${1000 + i}`,
    ...(chipBound && { chipUidHex: uidHex }),
    random,
    notBefore: new Date(),
    validityDays: 30,
  });
  const otpData = new Uint8Array(64).fill(0xff);
  otpData.fill(0xa0 + i, 0, 16);
  otpData.set(randomBytes(SECRET.lengthBytes), SECRET.offsetBytes);
  const lockBytes = Uint8Array.of(0x00, 0xff);
  const value = otpData.subarray(SECRET.offsetBytes, SECRET.offsetBytes + SECRET.lengthBytes);
  const commitmentSha256 = commitSecretField({ fieldName: SECRET.name, salt: randomBytes(32), value });
  const attestation = buildAttestation({
    deviceId: `dev-${i}`,
    product: 'widget',
    serial: `SN${1000 + i}`,
    layout: { name: 'widget-v1', version: 1, digestSha256: 'ab'.repeat(32) },
    chip: { family: 'stm32f4', productId: 0x413, uidHex },
    readBack: { data: maskSecretFields(otpData, [SECRET]), lockBytes },
    secretFields: [{ ...SECRET, commitmentSha256 }],
    deviceCertificateSha256: certificate.fingerprintSha256,
    stationId: 'station-1',
    jobId: `job-${i}`,
    provisionedAt: new Date(),
    attestedAt: new Date(),
  });
  const envelope = await signAttestation(attestation, attestationSigner);
  return { attestation, envelope, certificatePem: certificate.pem, otpData, lockBytes };
}

/** A CA, `deviceCount` attested devices all appended to one log, and one checkpoint over them. */
export async function buildFixture(
  deviceCount = 3,
  options: { readonly notChipBound?: readonly number[] } = {},
): Promise<Fixture> {
  const caSigner = new SoftwareSignerForTests('ca');
  const logSigner = new SoftwareSignerForTests('log');
  const attestationSigner = new SoftwareSignerForTests('attestation');
  const ca = await createCaCertificate({ signer: caSigner, subjectCommonName: 'Test Device CA', validityDays: 30 });
  const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: logSigner });
  const devices: FixtureDevice[] = [];
  for (let i = 0; i < deviceCount; i++) {
    const chipBound = !(options.notChipBound ?? []).includes(i);
    const device = await makeDevice(i, caSigner, ca.pem, attestationSigner, chipBound);
    const [appended] = await log.append([attestationLeafBytes(device.envelope)]);
    devices.push({ ...device, leafIndex: appended?.leafIndex ?? -1 });
  }
  await log.checkpoint();
  const bundle = async (deviceIndex: number, checkpoint?: StoredCheckpoint) => {
    const device = devices[deviceIndex];
    if (device === undefined) throw new Error('no such device');
    const source = {
      envelope: { ...device.envelope },
      leafIndex: device.leafIndex,
      deviceCertificatePem: device.certificatePem,
      caCertificatePem: ca.pem,
    };
    return buildVerificationBundle(log, source, checkpoint);
  };
  return {
    trust: {
      attestationPublicKeySpkiDer: attestationSigner.publicKeySpkiDer,
      logPublicKeySpkiDer: logSigner.publicKeySpkiDer,
      caCertificatePem: ca.pem,
      origin: ORIGIN,
    },
    log,
    devices,
    caCertificatePem: ca.pem,
    bundle,
  };
}
