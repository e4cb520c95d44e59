import { CryptoError } from '../errors.js';
import { defaultAttestationPort } from './attestation-adapter.js';
import type { PackedTexts } from './packed-texts.js';

/** One log entry that is not a valid attestation of the attestation key. */
export interface EntryFailure {
  readonly leafIndex: number;
  readonly code: string;
  readonly message: string;
}

/** What verifying the attestations of a run of entries found. */
export interface EntriesVerification {
  readonly verified: number;
  /** The first failures, in leaf order (at most the reported maximum). */
  readonly failures: readonly EntryFailure[];
  /** Every failure, reported or not. */
  readonly failed: number;
}

/** Raw entries packed back to back into one transferable buffer (the PackedTexts layout). */
export function packEntries(entries: readonly Uint8Array[]): PackedTexts {
  const ends = new Float64Array(entries.length);
  let total = 0;
  entries.forEach((entry, i) => {
    total += entry.length;
    ends[i] = total;
  });
  const bytes = new ArrayBuffer(total);
  const view = new Uint8Array(bytes);
  let start = 0;
  entries.forEach((entry) => {
    view.set(entry, start);
    start += entry.length;
  });
  return { count: entries.length, bytes, ends, irregular: new Map() };
}

function failureOf(leafIndex: number, error: unknown): EntryFailure {
  if (error instanceof CryptoError) return { leafIndex, code: error.code, message: error.message };
  if (error instanceof SyntaxError) return { leafIndex, code: 'ENTRY_MALFORMED', message: 'entry is not JSON' };
  return { leafIndex, code: 'ENTRY_MALFORMED', message: error instanceof Error ? error.message : 'not an envelope' };
}

/**
 * Verifies each entry as an attestation envelope logged by Ingrain: JSON, signed by the attestation
 * key (the whole envelope check: DSSE, payload form, schema and rules), and its normal-form leaf
 * bytes equal to the entry bytes (what the log hashed). No proofs: the caller checked that the
 * entries rebuild the checkpoint's root. `firstLeafIndex` numbers the failures.
 */
export function verifyAttestationEntries(
  packed: PackedTexts,
  firstLeafIndex: number,
  attestationPublicKeySpkiDer: Uint8Array,
  maxReportedFailures = 100,
): EntriesVerification {
  const bytes = new Uint8Array(packed.bytes);
  const failures: EntryFailure[] = [];
  let verified = 0;
  let failed = 0;
  let start = 0;
  for (let i = 0; i < packed.count; i++) {
    const end = packed.ends[i]!;
    const entry = bytes.subarray(start, end);
    start = end;
    try {
      const envelope = JSON.parse(Buffer.from(entry.buffer, entry.byteOffset, entry.length).toString('utf8')) as Record<
        string,
        unknown
      >;
      const attestation = defaultAttestationPort.verify(envelope, attestationPublicKeySpkiDer);
      const leaf = attestation.leafBytes?.() ?? defaultAttestationPort.leafBytes(envelope);
      if (Buffer.compare(leaf, entry) !== 0) {
        throw new CryptoError(
          'LOG_TILE_INVALID',
          'entry is not the normal form of its envelope (not what was signed into the log)',
        );
      }
      verified++;
    } catch (error) {
      failed++;
      if (failures.length < maxReportedFailures) failures.push(failureOf(firstLeafIndex + i, error));
    }
  }
  return { verified, failures, failed };
}
