import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BundleExtras } from './bundle-verifier.js';
import { type BatchVerificationSummary, mergeSummaries } from './verify-bundles.js';
import type { VerifierTrustInput } from './trust.js';

/** What each worker thread receives (structured-cloneable). */
export interface BundleWorkerInput {
  readonly trust: VerifierTrustInput;
  readonly extras: BundleExtras;
  readonly bundleTexts: readonly string[];
  readonly firstIndex: number;
  readonly maxReportedFailures: number;
}

export interface ParallelVerifyOptions {
  /** Worker threads (default: available parallelism, at most 4; never more than bundles). */
  readonly threads?: number;
  readonly extras?: BundleExtras;
  readonly maxReportedFailures?: number;
}

/**
 * The worker entry: the compiled sibling module, or, when running from TypeScript sources under
 * tsx (dev loop), a tiny module that first registers tsx's loader, which Node 20 worker threads do
 * not inherit from the main thread.
 */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./bundle-worker.js', import.meta.url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const target = new URL('./bundle-worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(target)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

function runWorker(input: BundleWorkerInput): Promise<BatchVerificationSummary> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry(), { workerData: input });
    let settled = false;
    worker.once('message', (summary: BatchVerificationSummary) => {
      settled = true;
      resolve(summary);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (exitCode) => {
      if (!settled) reject(new Error(`bundle verification worker exited with code ${exitCode}`));
    });
  });
}

/**
 * Verifies bundles given as JSON texts on several worker threads (each prepares the trust material
 * once and verifies a contiguous slice), then merges the summaries; failure indices refer to the
 * input array. Uses the default attestation port. Rejects only if a worker cannot run at all
 * (VERIFY_TRUST_INVALID from a bad trust input surfaces that way too).
 */
export async function verifyBundlesInParallel(
  bundleTexts: readonly string[],
  trust: VerifierTrustInput,
  options: ParallelVerifyOptions = {},
): Promise<BatchVerificationSummary> {
  const maxReportedFailures = options.maxReportedFailures ?? 100;
  const threads = Math.max(1, Math.min(options.threads ?? Math.min(availableParallelism(), 4), bundleTexts.length));
  const sliceSize = Math.ceil(bundleTexts.length / threads);
  const slices = Array.from({ length: threads }, (_, t) => t * sliceSize).filter((from) => from < bundleTexts.length);
  const summaries = await Promise.all(
    slices.map((firstIndex) =>
      runWorker({
        trust,
        extras: options.extras ?? {},
        bundleTexts: bundleTexts.slice(firstIndex, firstIndex + sliceSize),
        firstIndex,
        maxReportedFailures,
      }),
    ),
  );
  return mergeSummaries(summaries, maxReportedFailures);
}
