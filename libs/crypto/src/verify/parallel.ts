import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BundleExtras } from './bundle-verifier.js';
import { type PackedTexts, packTexts } from './packed-texts.js';
import { type BatchVerificationSummary, mergeSummaries } from './verify-bundles.js';
import type { VerifierTrustInput } from './trust.js';

/** The one message each worker thread receives: its slice of texts packed into a transferred buffer. */
export interface BundleWorkerInput {
  readonly trust: VerifierTrustInput;
  readonly extras: BundleExtras;
  readonly bundleTexts: PackedTexts;
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

/** Starts a worker with nothing to do yet: it boots and loads its modules while the caller packs its slice. */
function startWorker(): { worker: Worker; done: Promise<BatchVerificationSummary> } {
  const worker = new Worker(workerEntry());
  const done = new Promise<BatchVerificationSummary>((resolve, reject) => {
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
  return { worker, done };
}

/**
 * Verifies bundles given as JSON texts on several worker threads (each prepares the trust material
 * once and verifies a contiguous slice), then merges the summaries; failure indices refer to the
 * input array. Uses the default attestation port. Each slice is handed over as one transferred
 * UTF-8 buffer (packTexts), not a structured clone of the strings: half the peak memory, and a
 * worker starts verifying without first rebuilding every string. The workers are started first, so
 * they load their modules while the slices are packed. Rejects only if a worker cannot run at all
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
  const sliceMessage = (t: number): [BundleWorkerInput, ArrayBuffer[]] => {
    const firstIndex = slices[t]!;
    const packed = packTexts(bundleTexts.slice(firstIndex, firstIndex + sliceSize));
    const extras = options.extras ?? {};
    return [{ trust, extras, bundleTexts: packed, firstIndex, maxReportedFailures }, [packed.bytes]];
  };
  const started = slices.map(() => startWorker());
  try {
    started.forEach(({ worker }, t) => worker.postMessage(...sliceMessage(t)));
  } catch (error) {
    // A slice could not be sent (extras that cannot be cloned): stop every worker, none would ever finish.
    for (const { worker, done } of started) {
      done.catch(() => undefined);
      void worker.terminate();
    }
    throw error;
  }
  const summaries = await Promise.all(started.map(({ done }) => done));
  return mergeSummaries(summaries, maxReportedFailures);
}
