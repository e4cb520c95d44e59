// Worker thread entry of verifyBundlesInParallel: verifies one slice and posts its summary.
import { parentPort, workerData } from 'node:worker_threads';
import { defaultAttestationPort } from './attestation-adapter.js';
import { BundleVerifier } from './bundle-verifier.js';
import type { BundleWorkerInput } from './parallel.js';
import { verifyBundles } from './verify-bundles.js';

const input = workerData as BundleWorkerInput;
const verifier = new BundleVerifier(input.trust, defaultAttestationPort);
const summary = verifyBundles(input.bundleTexts, verifier, {
  extras: input.extras,
  maxReportedFailures: input.maxReportedFailures,
});
parentPort?.postMessage({
  ...summary,
  failures: summary.failures.map((failure) => ({ ...failure, index: failure.index + input.firstIndex })),
});
