import { parseSignedNote } from '../log/index.js';
import {
  type TallyOptions,
  type WitnessPolicy,
  createWitnessPolicy,
  describeWitnessTally,
  tallyCosignatures,
} from '../log/witness-policy.js';

/** A witness policy as a verifier is given it: cosigner vkeys (type 0x04) and k. */
export interface WitnessPolicyInput {
  readonly vkeys: readonly string[];
  /** k: how many distinct witnesses must have validly cosigned. */
  readonly threshold: number;
}

/** The outcome of a witness policy check on one checkpoint. */
export interface WitnessCheckResult {
  readonly ok: boolean;
  /** WITNESS_POLICY_UNMET, WITNESS_NOTE_MISMATCH or LOG_CHECKPOINT_MALFORMED when not ok. */
  readonly code?: string;
  readonly treeSize?: number;
  /** Which witnesses were valid, invalid or missing, and how many were required. */
  readonly detail: string;
}

/** Prepares a policy once. Throws WitnessError WITNESS_VKEY_INVALID / WITNESS_POLICY_INVALID. */
export function prepareWitnessPolicy(input: WitnessPolicyInput): WitnessPolicy {
  return createWitnessPolicy(input.vkeys, input.threshold);
}

function treeSizeOf(text: string): number | undefined {
  const size = Number(text.split('\n')[1]);
  return Number.isSafeInteger(size) ? size : undefined;
}

/**
 * Checks that at least k witnesses of `policy` validly cosigned the checkpoint `note` (its log
 * signature is checked elsewhere). Cosignature lines may also come from `cosignedCopies`: other
 * copies of the same checkpoint (e.g. the API's witnessed checkpoint); a copy counts only when its
 * text is byte for byte the checkpoint's text, since a cosignature covers exactly that text.
 * Never throws: a malformed note is a failed result.
 */
export function checkCheckpointWitnesses(
  note: string,
  policy: WitnessPolicy,
  cosignedCopies: readonly string[] = [],
  options: TallyOptions = {},
): WitnessCheckResult {
  try {
    const own = parseSignedNote(note);
    const treeSize = treeSizeOf(own.text);
    const copies = cosignedCopies.map((raw) => ({ raw, parsed: parseSignedNote(raw) }));
    const matching = copies.filter((copy) => copy.parsed.text === own.text);
    // A signed note is its text, a blank line, then signature lines: append the copies' lines.
    const extraLines = matching.map((copy) => copy.raw.slice(copy.parsed.text.length + 1));
    const tally = tallyCosignatures(`${note}${extraLines.join('')}`, policy, options);
    const detail = describeWitnessTally(tally);
    if (tally.valid.length >= policy.threshold)
      return { ok: true, ...(treeSize !== undefined && { treeSize }), detail };
    const mismatch =
      copies.length > 0 && matching.length === 0
        ? `; the witnessed checkpoint given is not this checkpoint (tree size ${treeSize ?? '?'} vs ${copies.map((c) => treeSizeOf(c.parsed.text) ?? '?').join(', ')})`
        : '';
    return {
      ok: false,
      code: 'WITNESS_POLICY_UNMET',
      ...(treeSize !== undefined && { treeSize }),
      detail: `${detail}${mismatch}`,
    };
  } catch (error) {
    const code =
      typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'WITNESS_POLICY_UNMET';
    return { ok: false, code, detail: error instanceof Error ? error.message : 'the checkpoint cannot be read' };
  }
}
