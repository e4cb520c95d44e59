// TEST FIXTURE: real bundles made by the project's own producer (#ingrain/crypto: CA, device
// certificates, signed attestations, the transparency log, buildVerificationBundle), for checking
// the independent browser verifier against them.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
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
import { children, readSingle } from '../der.js';
import { type PublishedKeys, rawSignatureToDer } from '../index.js';

export const ORIGIN = 'ingrain.example/log/verify-web';
const SECRET = { name: 'device_secret', offsetBytes: 32, lengthBytes: 16 };
const random = (n: number): Promise<Uint8Array> => Promise.resolve(new Uint8Array(randomBytes(n)));

export interface DeviceOptions {
  readonly serial: string;
  /** The UID the certificate names (default: the attested one); null: none (issued before chip binding). */
  readonly certificateUidHex?: string | null;
  /** Puts the device key into the attested OTP data at byte 64: its point or its SHA-256. */
  readonly otpPublicKey?: 'point' | 'sha256';
}

export interface RealBundles {
  readonly keys: PublishedKeys;
  /** Signs, logs and certifies one device; its bundle comes from bundleOf after checkpoint(). */
  addDevice(options: DeviceOptions): Promise<number>;
  checkpoint(): Promise<void>;
  bundleOf(leafIndex: number): Promise<Record<string, unknown>>;
  /** Another CA's certificate (PEM), for the CA mismatch case. */
  readonly otherCaPem: string;
  /** The certificate with its tbsCertificate changed by `edit`, signed again by the test CA. */
  resignCertificate(pem: string, edit: (tbs: Buffer) => Buffer): Promise<string>;
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes = Buffer.from(length.toString(16).padStart(length > 0xff ? 4 : 2, '0'), 'hex');
  return Buffer.concat([Buffer.of(0x80 | bytes.length), bytes]);
}

const tlv = (tag: number, content: Uint8Array): Buffer =>
  Buffer.concat([Buffer.of(tag), derLength(content.length), content]);

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
    const spkiDer = new Uint8Array(deviceKey.publicKey.export({ format: 'der', type: 'spki' }));
    const certificateUidHex = options.certificateUidHex === undefined ? uidHex : options.certificateUidHex;
    const certificate = await issueDeviceCertificate({
      caSigner,
      caCertificatePem: ca.pem,
      devicePublicKeySpkiDer: spkiDer,
      product: 'widget',
      serial: options.serial,
      ...(certificateUidHex === null ? {} : { chipUidHex: certificateUidHex }),
      random,
      notBefore: new Date(),
      validityDays: 30,
    });
    const otpData = new Uint8Array(options.otpPublicKey === undefined ? 64 : 160).fill(0xff);
    const point = spkiDer.subarray(spkiDer.length - 65);
    if (options.otpPublicKey === 'point') otpData.set(point, 64);
    if (options.otpPublicKey === 'sha256') otpData.set(createHash('sha256').update(point).digest(), 64);
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
    resignCertificate: async (pem, edit) => {
      const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      const [tbs, algorithm] = children(readSingle(der, 0x30));
      const changed = edit(Buffer.from(tbs!.bytes));
      const signature = rawSignatureToDer(await caSigner.sign(changed));
      const certificate = tlv(
        0x30,
        Buffer.concat([changed, algorithm!.bytes, tlv(0x03, Buffer.concat([Buffer.of(0), signature]))]),
      );
      const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    },
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
