import {
  CheckpointVerifier,
  decodeEntryBundle,
  decodeHashTile,
  entryBundlesFor,
  hashesEqual,
  hashLeaf,
  type LogRangeTrust,
  tilePath,
  tileWidthAt,
  TreeFrontier,
  verifyLogRange,
  type EntryFailure,
} from '#ingrain/crypto';
import type { MonitorState } from './monitor-state.js';

/** Fetches one file below the log's tiles prefix (`checkpoint`, `tile/…`); throws when it cannot. */
export type TileFetcher = (path: string) => Promise<Uint8Array>;

/** Something wrong with the log itself: the monitor's exit status 1. */
export class LogProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LogProblem';
  }
}

export interface FollowResult {
  readonly state: MonitorState;
  readonly previousSize: number;
  readonly newEntries: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * One monitoring step: verifies the log's current checkpoint, fetches every entry after the kept
 * tree, checks them against the level-0 hash tiles, requires that the kept frontier plus the new
 * entries rebuild the new checkpoint's root (the new tree extends the kept one: no consistency
 * proof needed), and verifies every new attestation. Throws {@link LogProblem} on anything wrong;
 * returns the state to keep.
 */
export async function followLog(
  fetchTile: TileFetcher,
  trust: LogRangeTrust,
  kept: MonitorState | undefined,
): Promise<FollowResult> {
  const checkpointNote = decoder.decode(await fetchTile('checkpoint'));
  const checkpoint = new CheckpointVerifier(trust.origin, trust.logPublicKeySpkiDer).verify(checkpointNote);
  const start = kept?.frontier ?? new TreeFrontier();
  if (checkpoint.treeSize < start.size) {
    throw new LogProblem(
      'LOG_CONSISTENCY_PROOF_INVALID',
      `inconsistent checkpoint: the log now has ${checkpoint.treeSize} entries, fewer than the ${start.size} of the kept checkpoint`,
    );
  }
  const entries = await fetchEntries(fetchTile, start.size, checkpoint.treeSize);
  await checkAgainstHashTiles(fetchTile, entries, start.size, checkpoint.treeSize);
  const rebuilt = new TreeFrontier(start.size, start.hashes);
  for (const entry of entries) rebuilt.appendLeaf(entry);
  if (!hashesEqual(rebuilt.root(), checkpoint.rootHash)) {
    if (kept === undefined) {
      throw new LogProblem(
        'LOG_TILE_INVALID',
        `the log's entries do not rebuild the root of its checkpoint of size ${checkpoint.treeSize}`,
      );
    }
    throw new LogProblem(
      'LOG_CONSISTENCY_PROOF_INVALID',
      `inconsistent checkpoint: the checkpoint of size ${checkpoint.treeSize} does not extend the kept checkpoint of size ${start.size} (the log rewrote or forked its history)`,
    );
  }
  const range = await verifyLogRange({ checkpointNote, entries, start }, trust, {
    threads: entries.length >= 2000 ? undefined : 1,
  });
  if (range.failed > 0) {
    const first = range.failures[0] as EntryFailure;
    throw new LogProblem(
      first.code,
      `bad entry: ${range.failed} of ${entries.length} new attestations fail; first at leaf ${first.leafIndex}: ${first.code}: ${first.message}`,
    );
  }
  return { state: { checkpointNote, frontier: range.frontier }, previousSize: start.size, newEntries: entries.length };
}

/** Entries [from, to) from the entry bundles of a tree of `to` entries (partial bundles at the edge). */
async function fetchEntries(fetchTile: TileFetcher, from: number, to: number): Promise<Uint8Array[]> {
  const entries: Uint8Array[] = [];
  for (const bundle of entryBundlesFor(from, to, to)) {
    const decoded = decodeEntryBundle(await fetchTile(tilePath(bundle)), bundle.width);
    const first = bundle.index * 256;
    for (const [offset, entry] of decoded.entries()) if (first + offset >= from) entries.push(entry);
  }
  return entries;
}

/** Every new entry's leaf hash must equal the log's level-0 hash tile: what proofs are built from. */
async function checkAgainstHashTiles(
  fetchTile: TileFetcher,
  entries: readonly Uint8Array[],
  from: number,
  to: number,
): Promise<void> {
  for (let index = Math.floor(from / 256); index * 256 < to; index++) {
    const width = tileWidthAt(0, index, to);
    const hashes = decodeHashTile(await fetchTile(tilePath({ level: 0, index, width })), width);
    for (let offset = 0; offset < width; offset++) {
      const leafIndex = index * 256 + offset;
      if (leafIndex < from) continue;
      const entry = entries[leafIndex - from]!;
      if (!hashesEqual(hashLeaf(entry), hashes[offset]!)) {
        throw new LogProblem(
          'LOG_TILE_INVALID',
          `bad entry: leaf ${leafIndex} in the entry bundle does not match the log's hash tile (a tampered entry or tile)`,
        );
      }
    }
  }
}
