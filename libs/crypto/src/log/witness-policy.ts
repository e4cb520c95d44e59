import { verifyCosignature } from './cosignature.js';
import { parseSignedNote } from './signed-note.js';
import { type CosignerKey, parseCosignerVkey } from './vkey.js';
import { WitnessError } from './witness-errors.js';

/** k of n: at least `threshold` of `witnesses` must have validly cosigned a checkpoint. */
export interface WitnessPolicy {
  /** Distinct cosigner keys (a key listed twice is one witness). */
  readonly witnesses: readonly CosignerKey[];
  readonly threshold: number;
}

/** How each configured witness stands on one checkpoint note. */
export interface WitnessTally {
  readonly threshold: number;
  readonly valid: readonly { readonly keyName: string; readonly timestampS: number }[];
  /** Witnesses with a line (matching name and key ID) that failed to verify: not counted. */
  readonly invalid: readonly { readonly keyName: string; readonly code: string; readonly reason: string }[];
  /** Witnesses with no line at all in the note. */
  readonly absent: readonly string[];
}

export interface TallyOptions {
  /** With `maxFutureS`: cosignatures dated after nowS + maxFutureS do not count. */
  readonly nowS?: number;
  readonly maxFutureS?: number;
}

const keyOf = (k: { keyName: string; keyId: number }): string => `${k.keyName}\u0000${k.keyId}`;

/**
 * A policy from witness vkeys (type 0x04) and k. Duplicate vkeys collapse into one witness.
 * Throws WITNESS_VKEY_INVALID for a bad vkey, WITNESS_POLICY_INVALID unless 1 ≤ k ≤ distinct n.
 */
export function createWitnessPolicy(vkeys: readonly string[], threshold: number): WitnessPolicy {
  const byKey = new Map<string, CosignerKey>();
  for (const vkey of vkeys) {
    const key = parseCosignerVkey(vkey);
    byKey.set(keyOf(key), key);
  }
  const witnesses = [...byKey.values()];
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > witnesses.length) {
    throw new WitnessError(
      'WITNESS_POLICY_INVALID',
      `the threshold must be an integer from 1 to the number of distinct witness keys (${witnesses.length}), not ${threshold}`,
    );
  }
  return { witnesses, threshold };
}

/**
 * Counts, for each witness of `policy`, whether `note` carries a valid cosignature/v1 over this
 * exact checkpoint text. A witness counts once however many lines it has; every line of it must
 * verify (c2sp.org/signed-note), else it is listed as invalid and does not count. Lines of other
 * keys are ignored. Does not verify the log's own signature: do that first. Throws
 * LOG_CHECKPOINT_MALFORMED (TransparencyLogError) for a note that is not a signed note.
 */
export function tallyCosignatures(note: string, policy: WitnessPolicy, options: TallyOptions = {}): WitnessTally {
  const parsed = parseSignedNote(note);
  const valid: { keyName: string; timestampS: number }[] = [];
  const invalid: { keyName: string; code: string; reason: string }[] = [];
  const absent: string[] = [];
  for (const witness of policy.witnesses) {
    const lines = parsed.signatures.filter((s) => s.keyName === witness.keyName && s.keyId === witness.keyId);
    if (lines.length === 0) {
      absent.push(witness.keyName);
      continue;
    }
    try {
      const timestamps = lines.map((line) => verifyCosignature(parsed.text, line, witness).timestampS);
      const timestampS = Math.max(...timestamps);
      if (
        options.nowS !== undefined &&
        options.maxFutureS !== undefined &&
        timestampS > options.nowS + options.maxFutureS
      ) {
        throw new WitnessError(
          'WITNESS_COSIGNATURE_INVALID',
          `cosignature by ${witness.keyName} is dated in the future`,
        );
      }
      valid.push({ keyName: witness.keyName, timestampS });
    } catch (error) {
      const code = error instanceof WitnessError ? error.code : 'WITNESS_COSIGNATURE_INVALID';
      invalid.push({ keyName: witness.keyName, code, reason: error instanceof Error ? error.message : 'invalid' });
    }
  }
  return { threshold: policy.threshold, valid, invalid, absent };
}

/** One line saying how a tally stands, e.g. "1 of 3 witness cosignatures valid, 2 required: …". */
export function describeWitnessTally(tally: WitnessTally): string {
  const total = tally.valid.length + tally.invalid.length + tally.absent.length;
  const parts = [
    `valid: ${tally.valid.map((v) => v.keyName).join(', ') || 'none'}`,
    ...(tally.invalid.length > 0
      ? [`invalid: ${tally.invalid.map((i) => `${i.keyName} (${i.reason})`).join(', ')}`]
      : []),
    ...(tally.absent.length > 0 ? [`missing: ${tally.absent.join(', ')}`] : []),
  ];
  return `${tally.valid.length} of ${total} witness cosignatures valid, ${tally.threshold} required (${parts.join('; ')})`;
}

/**
 * {@link tallyCosignatures}, then throws WITNESS_POLICY_UNMET with {@link describeWitnessTally}'s
 * message when fewer than k witnesses validly cosigned. Returns the tally when the policy holds.
 */
export function requireWitnessPolicy(note: string, policy: WitnessPolicy, options: TallyOptions = {}): WitnessTally {
  const tally = tallyCosignatures(note, policy, options);
  if (tally.valid.length < policy.threshold) {
    throw new WitnessError('WITNESS_POLICY_UNMET', describeWitnessTally(tally));
  }
  return tally;
}
