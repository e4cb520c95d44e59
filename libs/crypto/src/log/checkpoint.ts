import { TransparencyLogError } from './errors.js';
import { HASH_SIZE_BYTES } from './hashing.js';

/** A Merkle tree head in the C2SP tlog-checkpoint form (c2sp.org/tlog-checkpoint). */
export interface Checkpoint {
  /** Unique identifier of the log, e.g. `ingrain.example/log/factory-1`. */
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** Optional opaque lines after the root hash (non-empty each); Ingrain writes none. */
  readonly extensionLines: readonly string[];
}

function malformed(message: string): never {
  throw new TransparencyLogError('LOG_CHECKPOINT_MALFORMED', message);
}

/** True for a valid signed-note key name / origin: non-empty, no Unicode space, no `+`. */
export function isValidOrigin(origin: string): boolean {
  return origin.length > 0 && !/[\s+]/u.test(origin) && !hasForbiddenControl(origin);
}

/** Signed notes may contain no ASCII control character but newline (c2sp.org/signed-note). */
export function hasForbiddenControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

/**
 * The checkpoint's note text: origin, decimal tree size, standard base64 root hash, then any
 * extension lines, each ending in `\n` (c2sp.org/tlog-checkpoint "Note text"). Throws
 * LOG_CHECKPOINT_MALFORMED for an origin that is not a valid key name or a bad hash length.
 */
export function formatCheckpointText(checkpoint: Checkpoint): string {
  if (!isValidOrigin(checkpoint.origin)) malformed('origin must be non-empty without spaces or "+"');
  if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0) malformed('invalid tree size');
  if (checkpoint.rootHash.length !== HASH_SIZE_BYTES) malformed('root hash is not 32 bytes');
  const extensions = checkpoint.extensionLines;
  if (extensions.some((line) => line.length === 0 || line.includes('\n') || hasForbiddenControl(line))) {
    malformed('extension lines must be non-empty single lines');
  }
  const lines = [
    checkpoint.origin,
    String(checkpoint.treeSize),
    Buffer.from(checkpoint.rootHash).toString('base64'),
    ...extensions,
  ];
  return `${lines.join('\n')}\n`;
}

function parseTreeSize(line: string): number {
  // c2sp.org/tlog-checkpoint: ASCII decimal, no leading zeroes unless the tree is empty.
  if (!/^(0|[1-9][0-9]*)$/.test(line)) malformed('tree size line is not a canonical decimal');
  const size = Number(line);
  if (!Number.isSafeInteger(size)) malformed('tree size is too large');
  return size;
}

function parseRootHash(line: string): Uint8Array {
  const hash = Buffer.from(line, 'base64');
  // Re-encoding rejects non-canonical base64 (Buffer ignores stray characters when decoding).
  if (hash.length !== HASH_SIZE_BYTES || hash.toString('base64') !== line) {
    malformed('root hash line is not the standard base64 of 32 bytes');
  }
  return new Uint8Array(hash);
}

/**
 * Parses checkpoint note text (the part a signature covers). Throws LOG_CHECKPOINT_MALFORMED when
 * it has fewer than three lines, an empty line, a non-canonical size or a root that is not 32
 * bytes of standard base64. Says nothing about who signed it: verify the note first.
 */
export function parseCheckpointText(text: string): Checkpoint {
  if (!text.endsWith('\n')) malformed('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensionLines] = lines;
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    malformed('checkpoint needs origin, tree size and root hash lines');
  }
  if (lines.some((line) => line.length === 0)) malformed('checkpoint lines must be non-empty');
  return { origin, treeSize: parseTreeSize(sizeLine), rootHash: parseRootHash(rootLine), extensionLines };
}
