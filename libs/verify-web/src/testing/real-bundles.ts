// TEST FIXTURE: real bundles made by the project's own producer (#ingrain/crypto: CA, device
// certificates, signed attestations, the transparency log, buildVerificationBundle), for checking
// the independent browser verifier against them.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  attestationLeafBytes,
  buildAttestation,
  buildVerificationBundle,
  commitSecretField,
  createCaCertificate,
  type DsseEnvelope,
  InMemoryLogStore,
  issueDeviceCertificate,
  maskSecretFields,
  signAttestation,
  TransparencyLog,
} from '#ingrain/crypto';
import { SoftwareSignerForTests } from '#ingrain/crypto/testing';
import type { PublishedKeys } from '../index.js';

export const ORIGIN = 'ingrain.example/log/verify-web';
const SECRET = { name: 'device_secret', offsetBytes: 32, lengthBytes: 16 };
const random = (n: number): Promise<Uint8Array> => Promise.resolve(new Uint8Array(randomBytes(n)));

export interface DeviceOptions {
  readonly serial: string;
  /** The UID the certificate names (default: the attested one). */
  readonly certificateUidHex?: string;
}

export interface RealBundles {
  readonly keys: PublishedKeys;
  /** Signs, logs and certifies one device; its bundle comes from bundleOf after checkpoint(). */
  addDevice(options: DeviceOptions): Promise<number>;
  checkpoint(): Promise<void>;
  bundleOf(leafIndex: number): Promise<Record<string, unknown>>;
  /** Another CA's certificate (PEM), for the CA mismatch case. */
  readonly otherCaPem: string;
}

export async function makeRealBundles(): Promise<RealBundles> {
  const caSigner = new SoftwareSignerForTests('ca');
  const logSigner = new SoftwareSignerForTests('log');
  const attestationSigner = new SoftwareSignerForTests('attestation');
  const ca = await createCaCertificate({ signer: caSigner, subjectCommonName: 'Verify-web CA', validityDays: 30 });
  const otherCa = await createCaCertificate({
    signer: new SoftwareSignerForTests('other'),
    subjectCommonName: 'Other CA',
    validityDays: 30,
  });
  const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: logSigner });
  const devices = new Map<number, { envelope: DsseEnvelope; certificatePem: string }>();

  const addDevice = async (options: DeviceOptions): Promise<number> => {
    const uidHex = randomBytes(12).toString('hex');
    const deviceKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certificate = await issueDeviceCertificate({
      caSigner,
      caCertificatePem: ca.pem,
      devicePublicKeySpkiDer: new Uint8Array(deviceKey.publicKey.export({ format: 'der', type: 'spki' })),
      product: 'widget',
      serial: options.serial,
      chipUidHex: options.certificateUidHex ?? uidHex,
      random,
      notBefore: new Date(),
      validityDays: 30,
    });
    const otpData = new Uint8Array(64).fill(0xff);
    otpData.set(randomBytes(SECRET.lengthBytes), SECRET.offsetBytes);
    const value = otpData.subarray(SECRET.offsetBytes, SECRET.offsetBytes + SECRET.lengthBytes);
    const attestation = buildAttestation({
      deviceId: `dev-${options.serial}`,
      product: 'widget',
      serial: options.serial,
      layout: { name: 'widget-v1', version: 1, digestSha256: 'ab'.repeat(32) },
      chip: { family: 'stm32f4', productId: 0x413, uidHex },
      readBack: { data: maskSecretFields(otpData, [SECRET]), lockBytes: Uint8Array.of(0x00, 0xff) },
      secretFields: [
        { ...SECRET, commitmentSha256: commitSecretField({ fieldName: SECRET.name, salt: randomBytes(32), value }) },
      ],
      deviceCertificateSha256: certificate.fingerprintSha256,
      stationId: 'station-1',
      jobId: `job-${options.serial}`,
      provisionedAt: new Date(),
      attestedAt: new Date(),
    });
    const envelope = await signAttestation(attestation, attestationSigner);
    const [appended] = await log.append([attestationLeafBytes(envelope)]);
    const leafIndex = appended?.leafIndex ?? -1;
    devices.set(leafIndex, { envelope, certificatePem: certificate.pem });
    return leafIndex;
  };

  return {
    keys: {
      attestationPublicKeyPem: attestationSigner.publicKeyPem(),
      logPublicKeyPem: logSigner.publicKeyPem(),
      caCertificatePem: ca.pem,
      logOrigin: ORIGIN,
    },
    otherCaPem: otherCa.pem,
    addDevice,
    checkpoint: async () => {
      await log.checkpoint();
    },
    bundleOf: async (leafIndex) => {
      const device = devices.get(leafIndex);
      if (device === undefined) throw new Error(`no device at leaf ${leafIndex}`);
      const bundle = await buildVerificationBundle(log, {
        envelope: { ...device.envelope },
        leafIndex,
        deviceCertificatePem: device.certificatePem,
        caCertificatePem: ca.pem,
      });
      return JSON.parse(JSON.stringify(bundle)) as Record<string, unknown>;
    },
  };
}
