// The 100 k-bundle corpus of bench:crypto: real device certificates and DSSE attestations signed
// with software keys (verification cost does not depend on who signed), appended to a real RFC 9162
// log, one signed checkpoint, one verification bundle (JSON text) per attestation.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  buildVerificationBundle,
  createCaCertificate,
  InMemoryLogStore,
  type PackedTexts,
  type StoredCheckpoint,
  TransparencyLog,
  unpackText,
  type VerifierTrustInput,
} from '#ingrain/crypto';
import { SoftwareSignerForTests } from '#ingrain/crypto/testing';
import type { CorpusWorkerInput, CorpusWorkerOutput } from './crypto-corpus-worker.js';
import { runBenchWorker, slices } from './crypto-workers.js';

export const CORPUS_ORIGIN = 'ingrain.example/log/bench';
/** Distinct device keys the certificates cycle through (a certificate's verification does not depend on its key). */
const DEVICE_KEYS = 64;
const APPEND_BATCH = 1000;

export interface AttestationCorpus {
  readonly trust: VerifierTrustInput;
  /** One verification bundle per attestation, as the JSON text an auditor receives. */
  readonly bundleTexts: readonly string[];
  readonly checkpoint: StoredCheckpoint;
  /** The log entries (leaf bytes) in order, as entry bundles carry them. */
  readonly entries: readonly Uint8Array[];
  readonly generateMs: number;
  readonly bundleMs: number;
}

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
const keyPair = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = (key: KeyObject): Uint8Array => new Uint8Array(key.export({ format: 'der', type: 'spki' }));

/**
 * The JSON text of a bundle with the signed note's em dash (U+2014) escaped: the same JSON value
 * in pure ASCII, re-read as Latin-1 so that V8 stores it one byte per character (a string built
 * from a two-byte one stays two-byte, which doubles the corpus and every copy sent to a worker).
 */
function bundleText(document: unknown): string {
  const json = JSON.stringify(document).replaceAll('\u2014', '\\u2014');
  if (/[^\x20-\x7e]/.test(json)) throw new Error('bench bundles are expected to be printable ASCII once escaped');
  return Buffer.from(json, 'latin1').toString('latin1');
}

/** One device of the corpus: its envelope (the log leaf text) and its certificate. */
interface SignedDevices {
  readonly count: number;
  leafText(index: number): string;
  certificatePem(index: number): string;
}

/** Signs the devices on worker threads; the results come back as transferred buffers, not string copies. */
async function signDevices(
  count: number,
  threads: number,
  base: Omit<CorpusWorkerInput, 'from' | 'to'>,
): Promise<SignedDevices> {
  const ranges = slices(count, threads);
  const parts = await Promise.all(
    ranges.map(({ from, to }) => runBenchWorker<CorpusWorkerOutput>('crypto-corpus-worker', { ...base, from, to })),
  );
  const locate = (index: number): [CorpusWorkerOutput, number] => {
    const part = ranges.findIndex((r) => index < r.to);
    return [parts[part]!, index - ranges[part]!.from];
  };
  const text = (packed: (p: CorpusWorkerOutput) => PackedTexts) => (index: number) => {
    const [part, offset] = locate(index);
    return unpackText(packed(part), offset);
  };
  return { count, leafText: text((p) => p.leafTexts), certificatePem: text((p) => p.certificatePems) };
}

async function appendAll(log: TransparencyLog, devices: SignedDevices): Promise<Uint8Array[]> {
  const entries: Uint8Array[] = [];
  for (let from = 0; from < devices.count; from += APPEND_BATCH) {
    const leaves: Uint8Array[] = [];
    for (let i = from; i < Math.min(devices.count, from + APPEND_BATCH); i++) {
      leaves.push(new Uint8Array(Buffer.from(devices.leafText(i), 'utf8')));
    }
    const appended = await log.append(leaves);
    if (appended.some((leaf, i) => leaf.alreadyPresent || leaf.leafIndex !== from + i)) {
      throw new Error('corpus attestations must be distinct leaves in order');
    }
    entries.push(...leaves);
  }
  return entries;
}

/**
 * Builds `count` bundles: devices are signed on `threads` worker threads, appended to one log in
 * batches of 1000, and every bundle proves inclusion in the one checkpoint signed at the end (what
 * an auditor who fetched proofs today would hold).
 */
export async function buildAttestationCorpus(count: number, threads: number): Promise<AttestationCorpus> {
  const start = performance.now();
  const [caKeys, attestationKeys, logKeys] = [keyPair(), keyPair(), keyPair()];
  const caSigner = new SoftwareSignerForTests('ca', caKeys);
  const notBeforeMs = Date.now() - 60_000;
  const ca = await createCaCertificate({
    signer: caSigner,
    subjectCommonName: 'Ingrain Bench Device CA',
    validityDays: 3650,
    notBefore: new Date(notBeforeMs - 86_400_000),
  });
  const devicePublicKeysSpkiDer = Array.from({ length: DEVICE_KEYS }, () => spki(keyPair().publicKey));
  const base = { caKeys, attestationKeys, caCertificatePem: ca.pem, devicePublicKeysSpkiDer, notBeforeMs };
  const devices = await signDevices(count, threads, base);
  const generateMs = performance.now() - start;

  const bundleStart = performance.now();
  const logSigner = new SoftwareSignerForTests('log', logKeys);
  const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: CORPUS_ORIGIN, signer: logSigner });
  const entries = await appendAll(log, devices);
  const checkpoint = await log.checkpoint();
  const bundleTexts: string[] = [];
  for (let i = 0; i < count; i++) {
    const source = {
      envelope: JSON.parse(devices.leafText(i)) as Record<string, unknown>,
      leafIndex: i,
      deviceCertificatePem: devices.certificatePem(i),
      caCertificatePem: ca.pem,
    };
    bundleTexts.push(bundleText(await buildVerificationBundle(log, source, checkpoint)));
  }
  const trust: VerifierTrustInput = {
    attestationPublicKeySpkiDer: spki(attestationKeys.publicKey),
    logPublicKeySpkiDer: logSigner.publicKeySpkiDer,
    caCertificatePem: ca.pem,
    origin: CORPUS_ORIGIN,
  };
  return { trust, bundleTexts, checkpoint, entries, generateMs, bundleMs: performance.now() - bundleStart };
}
