// C2SP signed-note checkpoints signed by the log key (docs/transparency-log.md "Checkpoints: the
// exact bytes"): text = origin, size, base64 root (+ optional extension lines); then a blank line
// and signature lines `— <name> <base64(4-byte key ID ‖ DER ECDSA signature)>`.
import { bytesEqual, decodeUtf8, fromBase64, sha256, utf8 } from './bytes.js';
import { verifyDerSignature, type VerifyKey } from './ecdsa.js';

export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
}

export type CheckpointResult =
  | { readonly ok: true; readonly checkpoint: Checkpoint }
  | { readonly ok: false; readonly code: string; readonly message: string };

const MAX_SIGNATURES = 64;
/** Control characters other than newline (the note format allows none). */
const isControl = (char: string): boolean => {
  const code = char.charCodeAt(0);
  return (code < 0x20 && code !== 0x0a) || code === 0x7f;
};
const fail = (code: string, message: string): CheckpointResult => ({ ok: false, code, message });

/** The log key's note key ID: the first 4 bytes of SHA-256(SPKI DER). */
export async function noteKeyId(logSpkiDer: Uint8Array): Promise<Uint8Array> {
  return (await sha256(logSpkiDer)).subarray(0, 4);
}

function parseText(text: string): Checkpoint | string {
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || origin === '' || size === undefined || root === undefined)
    return 'the note text has fewer than 3 lines';
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    return 'the tree size is not a decimal number';
  const rootHash = fromBase64(root);
  if (rootHash === undefined || rootHash.length !== 32) return 'the root hash is not base64 of 32 bytes';
  if (extensions.some((line) => line === '')) return 'an extension line is empty';
  return { origin, treeSize: Number(size), rootHash };
}

/**
 * Verifies a signed checkpoint note: well formed, from `origin`, every signature line naming the
 * log key (name = origin, key ID = the key's) verifies, and at least one does. Lines of other keys
 * (witnesses) are ignored.
 */
export async function verifyCheckpointNote(
  note: string,
  logKey: VerifyKey,
  logKeyId: Uint8Array,
  origin: string,
): Promise<CheckpointResult> {
  if ([...note].some(isControl)) return fail('LOG_CHECKPOINT_MALFORMED', 'the note has control characters');
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    return fail('LOG_CHECKPOINT_MALFORMED', 'the note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const parsed = parseText(text);
  if (typeof parsed === 'string') return fail('LOG_CHECKPOINT_MALFORMED', parsed);
  if (parsed.origin !== origin) {
    return fail(
      'LOG_CHECKPOINT_ORIGIN_MISMATCH',
      `the checkpoint is from "${parsed.origin}", not the published origin "${origin}"`,
    );
  }
  const signatureLines = note.slice(split + 2, -1).split('\n');
  if (signatureLines.length > MAX_SIGNATURES) return fail('LOG_CHECKPOINT_MALFORMED', 'too many signature lines');
  let verified = 0;
  for (const line of signatureLines) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (match === null) return fail('LOG_CHECKPOINT_MALFORMED', 'a signature line is malformed');
    const signature = fromBase64(match[2] ?? '');
    if (signature === undefined || signature.length < 5)
      return fail('LOG_CHECKPOINT_MALFORMED', 'a signature is not base64');
    if (match[1] !== origin || !bytesEqual(signature.subarray(0, 4), logKeyId)) continue;
    if (!(await verifyDerSignature(logKey, signature.subarray(4), utf8(text)))) {
      return fail('LOG_CHECKPOINT_SIGNATURE_INVALID', 'a signature of the log key does not verify over the note text');
    }
    verified++;
  }
  if (verified === 0) return fail('LOG_CHECKPOINT_UNSIGNED', 'no signature of the published log key');
  if (decodeUtf8(utf8(note)) === undefined) return fail('LOG_CHECKPOINT_MALFORMED', 'the note is not UTF-8');
  return { ok: true, checkpoint: parsed };
}
