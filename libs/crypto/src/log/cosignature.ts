import { sign, verify, type KeyObject } from 'node:crypto';
import { hasForbiddenControl } from './checkpoint.js';
import type { NoteSignature } from './signed-note.js';
import { type CosignerKey, createCosignerKey, ed25519PublicKeyRaw } from './vkey.js';
import { WitnessError } from './witness-errors.js';

// c2sp.org/tlog-cosignature "Format": timestamped_signature = u64 timestamp ‖ 64-byte Ed25519 signature.
const TIMESTAMP_BYTES = 8;
const ED25519_SIGNATURE_BYTES = 64;
/** Bytes of a cosignature/v1 after the 4-byte key ID. */
export const COSIGNATURE_V1_BYTES = TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES;
const MAX_TIMESTAMP_S = 2n ** 63n - 1n;
const SIGNATURE_LINE_PREFIX = '\u2014 '; // em dash, space (c2sp.org/signed-note "Format")

/** A cosignature line, decoded (not verified). */
export interface Cosignature {
  readonly keyName: string;
  readonly keyId: number;
  /** POSIX seconds at which the cosigner signed. */
  readonly timestampS: number;
  readonly signature: Uint8Array;
}

function checkTimestamp(timestampS: number): void {
  if (!Number.isSafeInteger(timestampS) || timestampS < 0 || BigInt(timestampS) > MAX_TIMESTAMP_S) {
    throw new WitnessError('WITNESS_COSIGNATURE_MALFORMED', 'the timestamp is not a POSIX time in seconds');
  }
}

/**
 * The message an Ed25519 cosignature/v1 signs (c2sp.org/tlog-cosignature "Ed25519 signed
 * message"): `cosignature/v1\ntime <decimal seconds>\n` followed by the checkpoint's note text
 * (ending in `\n`, without the blank line and signatures).
 */
export function cosignatureMessage(checkpointText: string, timestampS: number): Uint8Array {
  checkTimestamp(timestampS);
  if (!checkpointText.endsWith('\n') || hasForbiddenControl(checkpointText)) {
    throw new WitnessError('WITNESS_COSIGNATURE_MALFORMED', 'checkpoint text must end in \\n, no control chars');
  }
  return Buffer.from(`cosignature/v1\ntime ${timestampS}\n${checkpointText}`, 'utf8');
}

/** Decodes a note signature line's bytes as a cosignature/v1. Throws WITNESS_COSIGNATURE_MALFORMED. */
export function decodeCosignature(line: NoteSignature): Cosignature {
  if (line.signature.length !== COSIGNATURE_V1_BYTES) {
    throw new WitnessError(
      'WITNESS_COSIGNATURE_MALFORMED',
      `cosignature by ${line.keyName} has ${line.signature.length} bytes after the key ID, not ${COSIGNATURE_V1_BYTES}`,
    );
  }
  const bytes = Buffer.from(line.signature);
  const timestamp = bytes.readBigUInt64BE(0);
  if (timestamp > MAX_TIMESTAMP_S || timestamp > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new WitnessError('WITNESS_COSIGNATURE_MALFORMED', `cosignature by ${line.keyName} has an impossible time`);
  }
  return {
    keyName: line.keyName,
    keyId: line.keyId,
    timestampS: Number(timestamp),
    signature: new Uint8Array(bytes.subarray(TIMESTAMP_BYTES)),
  };
}

/**
 * Verifies one cosignature line by `key` over `checkpointText` and returns its decoded form.
 * Throws WITNESS_COSIGNATURE_MALFORMED (wrong length) or WITNESS_COSIGNATURE_INVALID (name, ID or
 * Ed25519 signature does not match this checkpoint and timestamp).
 */
export function verifyCosignature(checkpointText: string, line: NoteSignature, key: CosignerKey): Cosignature {
  if (line.keyName !== key.keyName || line.keyId !== key.keyId) {
    throw new WitnessError('WITNESS_COSIGNATURE_INVALID', `the line is not by ${key.keyName}`);
  }
  const cosignature = decodeCosignature(line);
  const message = cosignatureMessage(checkpointText, cosignature.timestampS);
  if (!verify(null, message, key.publicKey, cosignature.signature)) {
    throw new WitnessError('WITNESS_COSIGNATURE_INVALID', `cosignature by ${key.keyName} does not verify`);
  }
  return cosignature;
}

/**
 * An Ed25519 cosigner (a witness key). Holds the private key in process memory: the witness
 * runs on the security team's own machine, and the key file is owner-only.
 */
export class Ed25519Cosigner {
  readonly key: CosignerKey;

  /** Throws WITNESS_VKEY_INVALID unless `privateKey` is an Ed25519 private key and the name valid. */
  constructor(
    keyName: string,
    private readonly privateKey: KeyObject,
  ) {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
      throw new WitnessError('WITNESS_VKEY_INVALID', 'the witness key is not an Ed25519 private key');
    }
    this.key = createCosignerKey(keyName, ed25519PublicKeyRaw(privateKey));
  }

  /**
   * The note signature line `— <name> base64(keyID ‖ u64 time ‖ Ed25519 sig)\n` cosigning
   * `checkpointText` at `timestampS`. Ed25519 is deterministic: the same inputs give the same line.
   */
  cosign(checkpointText: string, timestampS: number): string {
    const signature = sign(null, cosignatureMessage(checkpointText, timestampS), this.privateKey);
    const bytes = Buffer.alloc(4 + COSIGNATURE_V1_BYTES);
    bytes.writeUInt32BE(this.key.keyId, 0);
    bytes.writeBigUInt64BE(BigInt(timestampS), 4);
    bytes.set(signature, 4 + TIMESTAMP_BYTES);
    return `${SIGNATURE_LINE_PREFIX}${this.key.keyName} ${bytes.toString('base64')}\n`;
  }
}
