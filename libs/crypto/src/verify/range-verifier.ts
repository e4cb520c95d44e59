import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CheckpointVerifier } from '../log/checkpoint-note.js';
import type { Checkpoint } from '../log/checkpoint.js';
import { TransparencyLogError } from '../log/errors.js';
import { hashesEqual } from '../log/hashing.js';
import { TreeFrontier } from '../log/tiles/tree-frontier.js';
import type { PackedTexts } from './packed-texts.js';
import { type EntriesVerification, type EntryFailure, packEntries, verifyAttestationEntries } from './range-entries.js';

/** What a range is checked against. */
export interface LogRangeTrust {
  readonly attestationPublicKeySpkiDer: Uint8Array;
  readonly logPublicKeySpkiDer: Uint8Array;
  /** The log's checkpoint origin. */
  readonly origin: string;
}

/** A whole log (or its continuation) to verify against one signed checkpoint. */
export interface LogRangeInput {
  /** The signed checkpoint (C2SP signed note) the entries must rebuild. */
  readonly checkpointNote: string;
  /** Entries [start.size, checkpoint size), in leaf order (e.g. decoded entry bundles). */
  readonly entries: readonly Uint8Array[];
  /**
   * A tree the caller already verified (a kept frontier: size and complete-subtree roots); default
   * the empty tree, so the entries are the whole log. Reaching the checkpoint's root from it proves
   * the checkpoint extends that tree.
   */
  readonly start?: TreeFrontier;
}

export interface LogRangeOptions {
  /** Worker threads for the attestation checks (default: available parallelism, at most 4). 1: this thread. */
  readonly threads?: number;
  readonly maxReportedFailures?: number;
}

export interface LogRangeVerification extends EntriesVerification {
  readonly checkpoint: Checkpoint;
  /** The frontier at the checkpoint's size: keep it to verify the next range from here. */
  readonly frontier: TreeFrontier;
}

/** The one message each range worker receives. */
export interface RangeWorkerInput {
  readonly entries: PackedTexts;
  readonly firstLeafIndex: number;
  readonly attestationPublicKeySpkiDer: Uint8Array;
  readonly maxReportedFailures: number;
}

/**
 * Rebuilds the tree once from the entries (one leaf hash each, no per-leaf proofs) and requires the
 * checkpoint's size and root. Throws LOG_CHECKPOINT_* for a bad note, LOG_CONSISTENCY_PROOF_INVALID
 * when the checkpoint is smaller than the start, LOG_TILE_INVALID when the entries do not rebuild it.
 */
export function rebuildToCheckpoint(
  input: LogRangeInput,
  trust: LogRangeTrust,
): { readonly checkpoint: Checkpoint; readonly frontier: TreeFrontier } {
  const checkpoint = new CheckpointVerifier(trust.origin, trust.logPublicKeySpkiDer).verify(input.checkpointNote);
  const start = input.start ?? new TreeFrontier();
  if (checkpoint.treeSize < start.size) {
    throw new TransparencyLogError(
      'LOG_CONSISTENCY_PROOF_INVALID',
      `checkpoint of size ${checkpoint.treeSize} is smaller than the verified tree of size ${start.size}`,
    );
  }
  if (start.size + input.entries.length !== checkpoint.treeSize) {
    throw new TransparencyLogError(
      'LOG_TILE_INVALID',
      `${input.entries.length} entries after size ${start.size} do not reach the checkpoint size ${checkpoint.treeSize}`,
    );
  }
  const frontier = new TreeFrontier(start.size, start.hashes);
  for (const entry of input.entries) frontier.appendLeaf(entry);
  if (!hashesEqual(frontier.root(), checkpoint.rootHash)) {
    const what =
      start.size === 0
        ? 'the entries do not rebuild'
        : `the verified tree of size ${start.size} plus the entries do not rebuild`;
    throw new TransparencyLogError(
      'LOG_TILE_INVALID',
      `${what} the root of the checkpoint of size ${checkpoint.treeSize}`,
    );
  }
  return { checkpoint, frontier };
}

/**
 * Verifies a whole range of the log from its entries: the checkpoint signature, the tree rebuilt
 * once and its root compared with the checkpoint's (no inclusion proofs), then every entry as an
 * attestation (signature, form, leaf bytes) on worker threads. Throws on a bad checkpoint or a
 * tree that does not match (nothing can be trusted then); entry failures are returned.
 */
export async function verifyLogRange(
  input: LogRangeInput,
  trust: LogRangeTrust,
  options: LogRangeOptions = {},
): Promise<LogRangeVerification> {
  const { checkpoint, frontier } = rebuildToCheckpoint(input, trust);
  const maxReportedFailures = options.maxReportedFailures ?? 100;
  const first = frontier.size - input.entries.length;
  const threads = Math.max(1, Math.min(options.threads ?? Math.min(availableParallelism(), 4), input.entries.length));
  const parts =
    threads === 1
      ? [inThisThread(input.entries, first, trust, maxReportedFailures)]
      : await inWorkers(input.entries, first, trust, maxReportedFailures, threads);
  const failures: EntryFailure[] = parts.flatMap((part) => part.failures).slice(0, maxReportedFailures);
  return {
    checkpoint,
    frontier,
    verified: parts.reduce((n, part) => n + part.verified, 0),
    failed: parts.reduce((n, part) => n + part.failed, 0),
    failures,
  };
}

function inThisThread(
  entries: readonly Uint8Array[],
  first: number,
  trust: LogRangeTrust,
  max: number,
): EntriesVerification {
  return verifyAttestationEntries(packEntries(entries), first, trust.attestationPublicKeySpkiDer, max);
}

function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./range-worker.js', import.meta.url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const target = new URL('./range-worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(target)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

function runWorker(input: RangeWorkerInput): Promise<EntriesVerification> {
  const worker = new Worker(workerEntry());
  return new Promise<EntriesVerification>((resolve, reject) => {
    let settled = false;
    worker.once('message', (result: EntriesVerification) => {
      settled = true;
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (exitCode) => {
      if (!settled) reject(new Error(`range verification worker exited with code ${exitCode}`));
    });
    worker.postMessage(input, [input.entries.bytes]);
  });
}

function inWorkers(
  entries: readonly Uint8Array[],
  first: number,
  trust: LogRangeTrust,
  max: number,
  threads: number,
): Promise<EntriesVerification[]> {
  const size = Math.ceil(entries.length / threads);
  const starts = Array.from({ length: threads }, (_, t) => t * size).filter((from) => from < entries.length);
  return Promise.all(
    starts.map((from) =>
      runWorker({
        entries: packEntries(entries.slice(from, from + size)),
        firstLeafIndex: first + from,
        attestationPublicKeySpkiDer: trust.attestationPublicKeySpkiDer,
        maxReportedFailures: max,
      }),
    ),
  );
}
