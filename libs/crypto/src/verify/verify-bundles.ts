import type { BundleExtras, BundleVerification, BundleVerifier } from './bundle-verifier.js';
import { type CheckResult, failed } from './check-result.js';
import { VerifierError } from './errors.js';

/** One bundle that did not verify, with the checks that did not pass. */
export interface BundleFailure {
  /** Position of the bundle in the input. */
  readonly index: number;
  readonly checks: readonly CheckResult[];
}

/** Totals of a batch verification; `failures` keeps at most `maxReportedFailures` entries. */
export interface BatchVerificationSummary {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly failures: readonly BundleFailure[];
}

export interface VerifyBundlesOptions {
  readonly extras?: BundleExtras;
  /** Cap on `failures` kept in the summary (default 100); counts are always exact. */
  readonly maxReportedFailures?: number;
  /** Called with every result, e.g. to stream a report. */
  readonly onResult?: (index: number, result: BundleVerification) => void;
}

/** Decodes one bundle given as JSON text (or passes an already decoded value through). */
export function decodeBundleInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input) as unknown;
  } catch (cause) {
    throw new VerifierError('VERIFY_BUNDLE_MALFORMED', 'bundle is not valid JSON', { cause });
  }
}

/** Verifies one bundle given as JSON text or decoded JSON; never throws for bad input. */
export function verifyBundleInput(verifier: BundleVerifier, input: unknown, extras?: BundleExtras): BundleVerification {
  let decoded: unknown;
  try {
    decoded = decodeBundleInput(input);
  } catch (error) {
    return { ok: false, checks: [failed('bundle', error)] };
  }
  return verifier.verify(decoded, extras);
}

/**
 * Verifies many bundles (JSON texts or decoded objects) with one verifier, in this thread. Trust
 * material, key objects and verified checkpoints are reused across bundles, so the per-bundle cost
 * is the two ECDSA verifications (attestation, certificate) plus hashing the inclusion proof.
 * Never throws for bad bundles: each becomes a counted failure.
 */
export function verifyBundles(
  bundles: Iterable<unknown>,
  verifier: BundleVerifier,
  options: VerifyBundlesOptions = {},
): BatchVerificationSummary {
  const maxFailures = options.maxReportedFailures ?? 100;
  const failures: BundleFailure[] = [];
  let total = 0;
  let passed = 0;
  for (const input of bundles) {
    const index = total++;
    const result = verifyBundleInput(verifier, input, options.extras);
    options.onResult?.(index, result);
    if (result.ok) passed++;
    else if (failures.length < maxFailures) {
      failures.push({ index, checks: result.checks.filter((c) => c.status !== 'passed') });
    }
  }
  return { total, passed, failed: total - passed, failures };
}

/** Adds summaries of consecutive slices (indices in each are already absolute). */
export function mergeSummaries(
  parts: readonly BatchVerificationSummary[],
  maxFailures = 100,
): BatchVerificationSummary {
  const failures = parts.flatMap((p) => p.failures).sort((a, b) => a.index - b.index);
  return {
    total: parts.reduce((n, p) => n + p.total, 0),
    passed: parts.reduce((n, p) => n + p.passed, 0),
    failed: parts.reduce((n, p) => n + p.failed, 0),
    failures: failures.slice(0, maxFailures),
  };
}
