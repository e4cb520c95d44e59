// Worker thread entry of verifyBundlesInParallel: waits for its slice, verifies it, posts the summary.
import { parentPort } from 'node:worker_threads';
import { defaultAttestationPort } from './attestation-adapter.js';
import { BundleVerifier } from './bundle-verifier.js';
import { unpackedTexts } from './packed-texts.js';
import type { BundleWorkerInput } from './parallel.js';
import { verifyBundles } from './verify-bundles.js';

function verifySlice(input: BundleWorkerInput): void {
  const verifier = new BundleVerifier(input.trust, defaultAttestationPort);
  const summary = verifyBundles(unpackedTexts(input.bundleTexts), verifier, {
    extras: input.extras,
    maxReportedFailures: input.maxReportedFailures,
  });
  parentPort?.postMessage({
    ...summary,
    failures: summary.failures.map((failure) => ({ ...failure, index: failure.index + input.firstIndex })),
  });
}

// Messages sent before this listener exists are queued by the port, not lost.
parentPort?.once('message', verifySlice);
