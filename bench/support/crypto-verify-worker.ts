// Worker of row (a): verifies one slice of bundle texts (attestation signature + inclusion proof).
import { parentPort } from 'node:worker_threads';
import { type PackedTexts, prepareTrust, unpackedTexts, type VerifierTrustInput } from '#ingrain/crypto';
import { verifyAttestationWithProof } from './crypto-attestation-proof.js';
import { threadCpuMs } from './crypto-timing.js';

export interface VerifyWorkerInput {
  readonly trust: VerifierTrustInput;
  /** Transferred, as verifyBundlesInParallel hands texts to its workers. */
  readonly bundleTexts: PackedTexts;
}

export interface VerifyWorkerOutput {
  readonly total: number;
  readonly passed: number;
  /** CPU time of this thread while verifying (10 ms resolution). */
  readonly cpuMs: number;
  /** Epoch ms (fractional) when this thread had its modules and its texts and started verifying. */
  readonly startedAtMs: number;
  readonly verifyMs: number;
}

function verifySlice(input: VerifyWorkerInput): void {
  const startedAtMs = performance.timeOrigin + performance.now();
  const cpuStart = threadCpuMs();
  const trust = prepareTrust(input.trust);
  let passed = 0;
  for (const text of unpackedTexts(input.bundleTexts)) if (verifyAttestationWithProof(text, trust)) passed++;
  const output: VerifyWorkerOutput = {
    total: input.bundleTexts.count,
    passed,
    cpuMs: threadCpuMs() - cpuStart,
    startedAtMs,
    verifyMs: performance.timeOrigin + performance.now() - startedAtMs,
  };
  parentPort?.postMessage(output);
}

// Started before its slice is packed (as verifyBundlesInParallel does): the slice arrives as a message.
parentPort?.once('message', verifySlice);
