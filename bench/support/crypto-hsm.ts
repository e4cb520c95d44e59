// The HSM half of bench:crypto: raw pkcs11js loops next to the library's identity issuance and
// attestation signing + log append, all on one SoftHSM test token, measured in interleaved rounds.
import { createPublicKey, ECDH, randomBytes } from 'node:crypto';
import {
  attestationLeafBytes,
  buildAttestation,
  createCaCertificate,
  ensureServiceKeys,
  Hsm,
  InMemoryLogStore,
  issueDeviceCertificate,
  loadHsmConfig,
  type Pkcs11,
  type Pkcs11Handle,
  pooledRandomSource,
  prepareDeviceCertificateIssuer,
  SERVICE_KEY_LABELS,
  signAttestation,
  TransparencyLog,
} from '#ingrain/crypto';
import { ECDSA, findPrivateKey, KEYGEN, PRIVATE_TEMPLATE, PUBLIC_TEMPLATE, rawPairAsync } from './raw-pkcs11.js';
import { sampleDeviceForTests } from '#ingrain/crypto/testing';
import { createTestToken } from '../../testkit/softhsm.js';
import { concurrentLoop, fastestRoundUs, measured, medianRate, type Rate, syncLoop } from './crypto-timing.js';

const ROUNDS = 5;
const WINDOW_MS = 600;
/** Concurrencies tried for the library's issuance (the session pool and libuv pool hold 4). */
export const ISSUANCE_CONCURRENCY = [1, 2, 4, 8] as const;
export const ATTESTATION_CONCURRENCY = [1, 4] as const;
/** One HSM-signed checkpoint per this many appended attestations. */
export const CHECKPOINT_EVERY = 100;

export interface HsmResults {
  readonly rawKeygen: Rate;
  readonly rawSign: Rate;
  /** Keygen + sign pairs through the *Async variants, 4 sessions at once. */
  readonly rawAsyncPairs4: Rate;
  /** The two token operations of one issuance, alone, one in flight (where issuance time goes). */
  readonly libraryKeygen: Rate;
  readonly librarySign: Rate;
  readonly issuance: ReadonlyMap<number, Rate>;
  readonly attestation: ReadonlyMap<number, Rate>;
  readonly checkpoints: number;
  readonly tokenSessions: number;
  /** node:crypto createPublicKey of a device SPKI (what the HSM layer does to check each new point), µs. */
  readonly spkiImportUs: number;
  /** ECDH.convertKey of the same point (an on-curve check without building a KeyObject), µs. */
  readonly pointCheckUs: number;
}

/** The cost of checking a new device point the way the HSM layer does, next to a cheaper check. */
async function pointCheckCosts(hsm: Hsm): Promise<{ spkiImportUs: number; pointCheckUs: number }> {
  const keys = await Promise.all(Array.from({ length: 16 }, () => hsm.generateDeviceKeyPair()));
  const spkis = keys.map((k) => Buffer.from(k.publicKeySpkiDer));
  const points = keys.map((k) => Buffer.from(k.publicKeyPoint));
  return {
    spkiImportUs: fastestRoundUs(16, (i) => createPublicKey({ key: spkis[i]!, format: 'der', type: 'spki' }), 100),
    pointCheckUs: fastestRoundUs(16, (i) => ECDH.convertKey(points[i]!, 'prime256v1'), 100),
  };
}

function rawKeygenSync(module: Pkcs11, session: Pkcs11Handle): void {
  const keys = module.C_GenerateKeyPair(session, KEYGEN, PUBLIC_TEMPLATE, PRIVATE_TEMPLATE);
  module.C_DestroyObject(session, keys.privateKey);
  module.C_DestroyObject(session, keys.publicKey);
}

function rawSignSync(module: Pkcs11, session: Pkcs11Handle, key: Pkcs11Handle, digest: Buffer): void {
  module.C_SignInit(session, ECDSA, key);
  module.C_Sign(session, digest, Buffer.alloc(64));
}

function rawAsyncPairs(hsm: Hsm, concurrency: number, digest: Buffer): Promise<Rate> {
  return measured(async () => {
    let ops = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, () =>
        hsm.withSession(async (session, module) => {
          const key = findPrivateKey(module, session, SERVICE_KEY_LABELS.attestation);
          while (performance.now() - start < WINDOW_MS) {
            await rawPairAsync(module, session, key, digest);
            ops++;
          }
        }),
      ),
    );
    return ops;
  });
}

interface Fixtures {
  readonly keygen: () => Promise<void>;
  readonly sign: () => Promise<void>;
  readonly issue: (n: number) => Promise<void>;
  readonly attest: () => Promise<void>;
  readonly checkpoints: () => number;
}

/** Issuance with a prepared issuer, and attestation build + HSM sign + log append (+ checkpoints). */
async function fixtures(hsm: Hsm): Promise<Fixtures> {
  const caSigner = await hsm.findSigner(SERVICE_KEY_LABELS.deviceCa);
  const notBefore = new Date(Date.now() - 86_400_000);
  const ca = await createCaCertificate({
    signer: caSigner,
    subjectCommonName: 'Ingrain Bench CA',
    validityDays: 3650,
    notBefore,
  });
  const issuer = prepareDeviceCertificateIssuer(caSigner, ca.pem);
  const random = pooledRandomSource();
  const issue = async (n: number): Promise<void> => {
    const key = await hsm.generateDeviceKeyPair();
    const serial = `SN-${n}`;
    const chipUidHex = randomBytes(12).toString('hex');
    const [devicePublicKeySpkiDer, notBefore] = [key.publicKeySpkiDer, new Date()];
    await issueDeviceCertificate({
      issuer,
      devicePublicKeySpkiDer,
      product: 'sensor-node',
      serial,
      chipUidHex,
      random,
      notBefore,
      validityDays: 3650,
    });
  };
  const attestationSigner = await hsm.findSigner(SERVICE_KEY_LABELS.attestation);
  const logSigner = await hsm.findSigner(SERVICE_KEY_LABELS.log);
  const log = new TransparencyLog({
    store: new InMemoryLogStore(),
    origin: 'ingrain.example/log/bench-hsm',
    signer: logSigner,
  });
  const sample = sampleDeviceForTests('bench-hsm');
  let appended = 0;
  let checkpoints = 0;
  let sequence = 0; // across rounds: every attestation must be a new leaf
  const attest = async (): Promise<void> => {
    const n = sequence++;
    const attestation = buildAttestation({
      ...sample.input,
      deviceId: `dev_${n}`,
      jobId: `job-${n}`,
      attestedAt: new Date(),
    });
    const envelope = await signAttestation(attestation, attestationSigner);
    const [leaf] = await log.append([attestationLeafBytes(envelope)]);
    if (leaf?.alreadyPresent !== false) throw new Error('each bench attestation must be a new leaf');
    if (++appended % CHECKPOINT_EVERY === 0) {
      await log.checkpoint();
      checkpoints++;
    }
  };
  const tbsSized = randomBytes(400); // about the size of a device TBSCertificate
  const keygen = async (): Promise<void> => void (await hsm.generateDeviceKeyPair());
  const sign = async (): Promise<void> => void (await caSigner.sign(tbsSized));
  return { keygen, sign, issue, attest, checkpoints: () => checkpoints };
}

async function oneRound(hsm: Hsm, f: Fixtures, digest: Buffer, samples: Map<string, Rate[]>): Promise<void> {
  const add = (name: string, rate: Rate): void => void samples.set(name, [...(samples.get(name) ?? []), rate]);
  await hsm.withSession(async (session, module) => {
    add('rawKeygen', await syncLoop(WINDOW_MS, () => rawKeygenSync(module, session)));
    const key = findPrivateKey(module, session, SERVICE_KEY_LABELS.attestation);
    add('rawSign', await syncLoop(WINDOW_MS, () => rawSignSync(module, session, key, digest)));
  });
  add('rawAsync4', await rawAsyncPairs(hsm, 4, digest));
  add('libKeygen', await concurrentLoop(WINDOW_MS, 1, f.keygen));
  add('libSign', await concurrentLoop(WINDOW_MS, 1, f.sign));
  for (const c of ISSUANCE_CONCURRENCY) add(`issue${c}`, await concurrentLoop(WINDOW_MS, c, f.issue));
  for (const c of ATTESTATION_CONCURRENCY) add(`attest${c}`, await concurrentLoop(WINDOW_MS, c, f.attest));
}

/**
 * Creates a throwaway token (before any Hsm.open: SoftHSM reads SOFTHSM2_CONF at C_Initialize),
 * makes the service keys, and measures every HSM row in {@link ROUNDS} interleaved rounds of
 * {@link WINDOW_MS} each, so load drift on a shared machine hits raw and library loops alike.
 */
export async function measureHsm(): Promise<HsmResults> {
  const token = await createTestToken({ label: 'ingrain-bench' });
  const config = loadHsmConfig(token.env);
  const hsm = await Hsm.open(config);
  try {
    await ensureServiceKeys(hsm);
    const f = await fixtures(hsm);
    const digest = randomBytes(32);
    const samples = new Map<string, Rate[]>();
    await oneRound(hsm, f, digest, samples); // warm-up round, discarded
    samples.clear();
    for (let round = 0; round < ROUNDS; round++) await oneRound(hsm, f, digest, samples);
    const median = (name: string): Rate => medianRate(samples.get(name) ?? []);
    return {
      rawKeygen: median('rawKeygen'),
      rawSign: median('rawSign'),
      rawAsyncPairs4: median('rawAsync4'),
      libraryKeygen: median('libKeygen'),
      librarySign: median('libSign'),
      issuance: new Map(ISSUANCE_CONCURRENCY.map((c) => [c, median(`issue${c}`)])),
      attestation: new Map(ATTESTATION_CONCURRENCY.map((c) => [c, median(`attest${c}`)])),
      checkpoints: f.checkpoints(),
      tokenSessions: config.sessionPoolSize,
      ...(await pointCheckCosts(hsm)),
    };
  } finally {
    await hsm.close();
    await token.cleanup();
  }
}
