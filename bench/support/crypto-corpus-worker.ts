// Worker of buildAttestationCorpus: issues device certificates and signs attestations for one
// slice of the corpus with software keys, and posts the envelopes (log leaf text) and certificates.
import { type KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import {
  buildAttestation,
  issueDeviceCertificate,
  type PackedTexts,
  packTexts,
  pooledRandomSource,
  prepareDeviceCertificateIssuer,
  serializeAttestationEnvelope,
  signAttestation,
} from '#ingrain/crypto';
import { sampleDeviceForTests, SoftwareSignerForTests } from '#ingrain/crypto/testing';

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };

/** What the main thread sends. */
export interface CorpusWorkerInput {
  readonly caKeys: KeyPair;
  readonly attestationKeys: KeyPair;
  readonly caCertificatePem: string;
  readonly devicePublicKeysSpkiDer: readonly Uint8Array[];
  readonly from: number;
  readonly to: number;
  readonly notBeforeMs: number;
}

/** What the worker posts back (transferred): per device, the envelope as the log stores it and its certificate. */
export interface CorpusWorkerOutput {
  readonly leafTexts: PackedTexts;
  readonly certificatePems: PackedTexts;
}

const input = workerData as CorpusWorkerInput;
const issuer = prepareDeviceCertificateIssuer(new SoftwareSignerForTests('ca', input.caKeys), input.caCertificatePem);
const attestationSigner = new SoftwareSignerForTests('attestation', input.attestationKeys);
const sample = sampleDeviceForTests('bench');
const random = pooledRandomSource();
const notBefore = new Date(input.notBeforeMs);
const leafTexts: string[] = [];
const certificatePems: string[] = [];

for (let i = input.from; i < input.to; i++) {
  const serial = `SN-${String(i).padStart(7, '0')}`;
  const uidHex = `00c0ffee${i.toString(16).padStart(16, '0')}`;
  const certificate = await issueDeviceCertificate({
    issuer,
    devicePublicKeySpkiDer: input.devicePublicKeysSpkiDer[i % input.devicePublicKeysSpkiDer.length]!,
    product: sample.input.product,
    serial,
    chipUidHex: uidHex,
    random,
    notBefore,
    validityDays: 3650,
  });
  const data = Uint8Array.from(sample.input.readBack.data);
  data.set(Buffer.from(serial.padEnd(16, '\0'), 'latin1'), 0); // block 0 holds the serial, as on a real chip
  const attestation = buildAttestation({
    ...sample.input,
    deviceId: `dev_${i}`,
    serial,
    chip: { ...sample.input.chip, uidHex },
    readBack: { ...sample.input.readBack, data },
    deviceCertificateSha256: certificate.fingerprintSha256,
    jobId: `job-${i}`,
  });
  const envelope = await signAttestation(attestation, attestationSigner);
  leafTexts.push(serializeAttestationEnvelope(envelope));
  certificatePems.push(certificate.pem);
}
const out: CorpusWorkerOutput = { leafTexts: packTexts(leafTexts), certificatePems: packTexts(certificatePems) };
parentPort?.postMessage(out, [out.leafTexts.bytes, out.certificatePems.bytes]);
