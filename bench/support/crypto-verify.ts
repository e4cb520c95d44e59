// The verification half of bench:crypto: 100 k bundles verified on every core, (a) attestation
// signature + inclusion proof and (b) the full bundle, next to the ECDSA floor and a per-step
// breakdown measured single-threaded in the same run.
import { createPublicKey, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  BundleVerifier,
  defaultAttestationPort,
  derToP1363,
  dssePreAuthenticationEncoding,
  packTexts,
  parseVerificationBundle,
  prepareTrust,
  type VerificationBundle,
  verifyBundlesInParallel,
  verifyDeviceCertificateChain,
  verifyLogRange,
} from '#ingrain/crypto';
import { verifyAttestationWithProof } from './crypto-attestation-proof.js';
import { type AttestationCorpus, buildAttestationCorpus } from './crypto-corpus.js';
import { fastestRoundUs } from './crypto-timing.js';
import type { VerifyWorkerInput, VerifyWorkerOutput } from './crypto-verify-worker.js';
import { slices, startBenchWorker } from './crypto-workers.js';

const BREAKDOWN_SAMPLE = 4000;
const PARALLEL_RUNS = 2;

/** One timed verification of the whole corpus on worker threads. */
export interface ParallelRun {
  readonly wallMs: number;
  /** CPU of the whole process (all threads) during the run. */
  readonly cpuMs: number;
  readonly passed: number;
  /** Row (a) only: from the call to the last worker starting to verify (start-up, copying the texts). */
  readonly startupMs?: number;
  /** Row (a) only: the longest time a worker spent verifying, and CPU per bundle on the workers. */
  readonly slowestVerifyMs?: number;
  readonly workerCpuUsPerBundle?: number;
}

/** Single-thread µs per bundle of each step (fastest of many short rounds). */
export interface Breakdown {
  readonly jsonParse: number;
  readonly bundleSchema: number;
  readonly envelope: number;
  readonly leafAndInclusion: number;
  readonly certificateChain: number;
  readonly ecdsaVerify: number;
  readonly attestationWithProof: number;
  readonly fullBundle: number;
}

export interface VerifyResults {
  readonly count: number;
  readonly threads: number;
  readonly generateMs: number;
  readonly bundleMs: number;
  readonly averageBundleBytes: number;
  readonly attestationRuns: readonly ParallelRun[];
  readonly fullRuns: readonly ParallelRun[];
  /** Row (c): the whole range from its entries (tree rebuilt once, no proofs) + every attestation. */
  readonly rangeRuns: readonly ParallelRun[];
  readonly breakdown: Breakdown;
}

async function timed(work: () => Promise<{ passed: number }>): Promise<ParallelRun> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ...result, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** Row (a) on `threads` workers: each gets its slice of texts packed and transferred, as verifyBundlesInParallel does. */
function attestationRun(corpus: AttestationCorpus, threads: number): Promise<ParallelRun> {
  return timed(async () => {
    const calledAtMs = performance.timeOrigin + performance.now();
    const ranges = slices(corpus.bundleTexts.length, threads);
    const started = ranges.map(() => startBenchWorker<VerifyWorkerOutput>('crypto-verify-worker'));
    ranges.forEach(({ from, to }, t) => {
      const input: VerifyWorkerInput = {
        trust: corpus.trust,
        bundleTexts: packTexts(corpus.bundleTexts.slice(from, to)),
      };
      started[t]!.worker.postMessage(input, [input.bundleTexts.bytes]);
    });
    const parts = await Promise.all(started.map((s) => s.done));
    const passed = parts.reduce((n, p) => n + p.passed, 0);
    return {
      passed,
      startupMs: Math.max(...parts.map((p) => p.startedAtMs)) - calledAtMs,
      slowestVerifyMs: Math.max(...parts.map((p) => p.verifyMs)),
      workerCpuUsPerBundle: (parts.reduce((n, p) => n + p.cpuMs, 0) * 1000) / corpus.bundleTexts.length,
    };
  });
}

/** Row (b): the library's own parallel verifier, every check of every bundle. */
function fullRun(corpus: AttestationCorpus, threads: number): Promise<ParallelRun> {
  return timed(async () => ({
    passed: (await verifyBundlesInParallel(corpus.bundleTexts, corpus.trust, { threads })).passed,
  }));
}

/** Row (c): verifyLogRange over every entry against the checkpoint, attestations on `threads` workers. */
function rangeRun(corpus: AttestationCorpus, threads: number): Promise<ParallelRun> {
  return timed(async () => {
    const result = await verifyLogRange(
      { checkpointNote: corpus.checkpoint.note, entries: corpus.entries },
      corpus.trust,
      {
        threads,
      },
    );
    return { passed: result.failed === 0 ? result.verified : 0 };
  });
}

/** Where the time of one bundle goes, on this thread, over the first bundles of the corpus. */
function breakdown(corpus: AttestationCorpus): Breakdown {
  const texts = corpus.bundleTexts.slice(0, BREAKDOWN_SAMPLE);
  const n = texts.length;
  const decoded = texts.map((text) => JSON.parse(text) as unknown);
  const bundles: VerificationBundle[] = decoded.map((value) => parseVerificationBundle(value));
  const trust = prepareTrust(corpus.trust);
  const key = trust.attestationPublicKeySpkiDer;
  const verified = bundles.map((b) => defaultAttestationPort.verify(b.attestation, key));
  const leaves = verified.map((v) => v.leafBytes?.() ?? new Uint8Array());
  const ecdsa = ecdsaInputs(bundles, key);
  const verifier = new BundleVerifier(trust, defaultAttestationPort);
  const checkpoint = trust.checkpoints.verify(bundles[0]!.log.checkpoint);
  return {
    jsonParse: fastestRoundUs(n, (i) => JSON.parse(texts[i]!)),
    bundleSchema: fastestRoundUs(n, (i) => parseVerificationBundle(decoded[i])),
    envelope: fastestRoundUs(n, (i) => defaultAttestationPort.verify(bundles[i]!.attestation, key)),
    leafAndInclusion: fastestRoundUs(n, (i) => {
      const { leafIndex, inclusionProof } = bundles[i]!.log;
      const leafBytes = verified[i]!.leafBytes?.() ?? leaves[i]!;
      trust.inclusions.verify({ leafBytes }, leafIndex, checkpoint.treeSize, inclusionProof, checkpoint.rootHash);
    }),
    certificateChain: fastestRoundUs(n, (i) =>
      verifyDeviceCertificateChain(bundles[i]!.deviceCertificatePem, trust.ca),
    ),
    ecdsaVerify: fastestRoundUs(n, (i) => verify('sha256', ecdsa.messages[i]!, ecdsa.options, ecdsa.signatures[i]!)),
    attestationWithProof: fastestRoundUs(n, (i) => verifyAttestationWithProof(texts[i]!, trust)),
    fullBundle: fastestRoundUs(n, (i) => verifier.verify(JSON.parse(texts[i]!))),
  };
}

/** The attestation key and each envelope's signed bytes and signature: the bare node:crypto verify. */
function ecdsaInputs(bundles: readonly VerificationBundle[], spkiDer: Uint8Array) {
  const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  const options = { key, dsaEncoding: 'ieee-p1363' as const };
  const messages = bundles.map((b) =>
    dssePreAuthenticationEncoding(
      b.attestation['payloadType'] as string,
      new Uint8Array(Buffer.from(b.attestation['payload'] as string, 'base64')),
    ),
  );
  const signatures = bundles.map((b) => {
    const [signature] = b.attestation['signatures'] as { sig: string }[];
    return derToP1363(new Uint8Array(Buffer.from(signature?.sig ?? '', 'base64')));
  });
  return { options, messages, signatures };
}

/**
 * Builds the corpus (software signers, both cores), then alternates {@link PARALLEL_RUNS} runs of
 * (a) and (b) on every core, then the single-thread breakdown. Throws if any genuine bundle fails.
 */
export async function measureVerification(count: number): Promise<VerifyResults> {
  const threads = availableParallelism();
  const corpus = await buildAttestationCorpus(count, threads);
  const attestationRuns: ParallelRun[] = [];
  const fullRuns: ParallelRun[] = [];
  const rangeRuns: ParallelRun[] = [];
  for (let run = 0; run < PARALLEL_RUNS; run++) {
    attestationRuns.push(await attestationRun(corpus, threads));
    fullRuns.push(await fullRun(corpus, threads));
    rangeRuns.push(await rangeRun(corpus, threads));
  }
  if ([...attestationRuns, ...fullRuns, ...rangeRuns].some((r) => r.passed !== count)) {
    throw new Error('a genuine bundle failed verification: the benchmark is measuring the wrong thing');
  }
  const averageBundleBytes = corpus.bundleTexts.reduce((sum, text) => sum + text.length, 0) / count;
  return {
    count,
    threads,
    generateMs: corpus.generateMs,
    bundleMs: corpus.bundleMs,
    averageBundleBytes,
    attestationRuns,
    fullRuns,
    rangeRuns,
    breakdown: breakdown(corpus),
  };
}
