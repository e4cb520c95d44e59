import type { Signer } from '../signer.js';
import { type Checkpoint, formatCheckpointText, parseCheckpointText } from './checkpoint.js';
import { TransparencyLogError } from './errors.js';
import {
  createNoteVerifierKey,
  type NoteVerifierKey,
  parseSignedNote,
  signNote,
  verifySignedNote,
} from './signed-note.js';

/**
 * Formats `checkpoint` and signs it with the log key as a C2SP signed note whose key name is the
 * checkpoint's origin (c2sp.org/tlog-checkpoint "Signatures"). Returns the complete note text.
 */
export async function signCheckpoint(checkpoint: Checkpoint, signer: Signer): Promise<string> {
  return signNote(formatCheckpointText(checkpoint), checkpoint.origin, signer);
}

/**
 * Verifies checkpoints against one log key and origin, caching each note it has accepted (a batch
 * of bundles usually shares a handful of checkpoints, and an accepted note stays accepted).
 */
export class CheckpointVerifier {
  private readonly key: NoteVerifierKey;
  private readonly accepted = new Map<string, Checkpoint>();

  /** Throws LOG_KEY_INVALID unless the key is EC P-256 DER SPKI and the origin a valid key name. */
  constructor(
    readonly origin: string,
    logPublicKeySpkiDer: Uint8Array,
    private readonly maxCachedNotes = 1024,
  ) {
    this.key = createNoteVerifierKey(origin, logPublicKeySpkiDer);
  }

  /**
   * Returns the checkpoint a note carries once its origin line equals this verifier's origin
   * (else LOG_CHECKPOINT_ORIGIN_MISMATCH) and a signature by the log key verifies (else
   * LOG_CHECKPOINT_UNSIGNED / LOG_CHECKPOINT_SIGNATURE_INVALID). LOG_CHECKPOINT_MALFORMED for
   * anything that is not a well-formed checkpoint note.
   */
  verify(note: string): Checkpoint {
    const cached = this.accepted.get(note);
    if (cached) return { ...cached, rootHash: cached.rootHash.slice() };
    const checkpoint = parseCheckpointText(parseSignedNote(note).text);
    if (checkpoint.origin !== this.origin) {
      throw new TransparencyLogError(
        'LOG_CHECKPOINT_ORIGIN_MISMATCH',
        `checkpoint origin "${checkpoint.origin}" is not the expected "${this.origin}"`,
      );
    }
    verifySignedNote(note, this.key);
    if (this.accepted.size >= this.maxCachedNotes) this.accepted.clear();
    this.accepted.set(note, { ...checkpoint, rootHash: checkpoint.rootHash.slice() });
    return checkpoint;
  }
}

/**
 * One-shot form of {@link CheckpointVerifier.verify}: verifies a signed checkpoint note with the
 * log's DER SPKI public key and expected origin, offline. Throws TransparencyLogError
 * (LOG_KEY_INVALID, LOG_CHECKPOINT_MALFORMED, LOG_CHECKPOINT_ORIGIN_MISMATCH,
 * LOG_CHECKPOINT_UNSIGNED, LOG_CHECKPOINT_SIGNATURE_INVALID).
 */
export function verifyCheckpoint(note: string, logPublicKeySpkiDer: Uint8Array, origin: string): Checkpoint {
  return new CheckpointVerifier(origin, logPublicKeySpkiDer).verify(note);
}
