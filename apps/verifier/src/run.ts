import {
  type BundleExtras,
  BundleVerifier,
  defaultAttestationPort,
  parseConsistencyProofFile,
  parseDeviceRead,
  prepareTrust,
  type VerifierTrustInput,
  verifyBundleInput,
  verifyBundlesInParallel,
} from '#ingrain/crypto';
import { type CliIo, EXIT_OK, EXIT_USAGE, EXIT_VERIFICATION_FAILED, VerifierCliError } from './cli-io.js';
import { type BundleText, readBundleTexts, readJsonFile } from './inputs.js';
import { loadWitnessCheck } from './witness-policy.js';
import { parseVerifierOptions, USAGE, type VerifierOptions } from './options.js';
import { loadTrust } from './trust-input.js';
import { renderJson, renderText, type ReportedBundle, type VerificationReport } from './report.js';

/** Batches at least this large go to worker threads (below it, thread start-up costs more). */
const PARALLEL_THRESHOLD = 2000;
/** Up to this many bundles every result is listed; above it only failures. */
const LIST_ALL_LIMIT = 100;

function loadExtras(options: VerifierOptions, cwd: string): BundleExtras {
  return {
    ...(options.consistencyPath && {
      consistency: parseConsistencyProofFile(readJsonFile(cwd, options.consistencyPath)),
    }),
    ...(options.deviceReadPath && { deviceRead: parseDeviceRead(readJsonFile(cwd, options.deviceReadPath)) }),
  };
}

function verifyInThread(bundles: readonly BundleText[], trust: VerifierTrustInput, extras: BundleExtras) {
  const verifier = new BundleVerifier(prepareTrust(trust), defaultAttestationPort);
  const results: ReportedBundle[] = bundles.map(({ source, text }) => ({
    source,
    result: verifyBundleInput(verifier, text, extras),
  }));
  const passed = results.filter((r) => r.result.ok).length;
  const listAll = results.length <= LIST_ALL_LIMIT;
  return {
    summary: { total: results.length, passed, failed: results.length - passed },
    bundles: listAll ? results : results.filter((r) => !r.result.ok).slice(0, LIST_ALL_LIMIT),
    listed: listAll ? 'all' : 'failures',
  } satisfies VerificationReport;
}

async function verifyInWorkers(
  bundles: readonly BundleText[],
  trust: VerifierTrustInput,
  extras: BundleExtras,
  threads: number | undefined,
): Promise<VerificationReport> {
  prepareTrust(trust); // fail fast, in this thread, on unusable trust material
  const options = { extras, maxReportedFailures: LIST_ALL_LIMIT, ...(threads && { threads }) };
  const summary = await verifyBundlesInParallel(
    bundles.map((b) => b.text),
    trust,
    options,
  );
  const failures = summary.failures.map((f) => ({
    source: bundles[f.index]?.source ?? `#${f.index}`,
    result: { ok: false, checks: f.checks },
  }));
  return { summary, bundles: failures, listed: 'failures' };
}

async function verify(options: VerifierOptions, io: CliIo): Promise<number> {
  const { trust, witnesses } = loadTrust(options.trust, io.cwd, options.at);
  const witnessCheck = loadWitnessCheck(options, io.cwd, witnesses);
  const extras = loadExtras(options, io.cwd);
  const bundles = readBundleTexts(io.cwd, options.bundlePaths);
  if (bundles.length === 0) throw new VerifierCliError('VERIFY_USAGE', 'the bundle files contain no bundle');
  const useWorkers = bundles.length >= PARALLEL_THRESHOLD && options.threads !== 1;
  const report = useWorkers
    ? await verifyInWorkers(bundles, trust, extras, options.threads)
    : verifyInThread(bundles, trust, extras);
  io.out(options.json ? renderJson(report) : renderText(report));
  const witnessesHold = witnessCheck ? witnessCheck(bundles, io) : true;
  return report.summary.failed === 0 && witnessesHold ? EXIT_OK : EXIT_VERIFICATION_FAILED;
}

function describeError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const message = error instanceof Error ? error.message : 'unexpected failure';
  return code === undefined ? `error: ${message}` : `error [${code}]: ${message}`;
}

/**
 * Runs `ingrain-verify argv…` and returns the exit code: 0 when every requested check of every
 * bundle passed, 1 when any failed, 2 for usage errors and unreadable or invalid inputs given by
 * flags (trust material, consistency file, device read).
 */
export async function runVerifierCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const options = parseVerifierOptions(argv);
    if (options === 'help') {
      io.out(`${USAGE}\n`);
      return EXIT_OK;
    }
    return await verify(options, io);
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    if (error instanceof VerifierCliError && error.code === 'VERIFY_USAGE') io.err(`${USAGE}\n`);
    return EXIT_USAGE;
  }
}
