import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { p1363ToDer } from '../encoding/index.js';
import type { Signer } from '../signer.js';
import { hasForbiddenControl, isValidOrigin } from './checkpoint.js';
import { TransparencyLogError } from './errors.js';

/** One signature line of a signed note (c2sp.org/signed-note "Signatures"). */
export interface NoteSignature {
  readonly keyName: string;
  /** Big-endian uint32 from the first four decoded bytes. */
  readonly keyId: number;
  /** The signature bytes after the key ID (here: ASN.1 DER ECDSA). */
  readonly signature: Uint8Array;
}

/** A parsed (not yet verified) signed note. */
export interface SignedNote {
  /** The signed text, ending in `\n`, without the separating blank line. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A log public key prepared once for verifying many notes. */
export interface NoteVerifierKey {
  readonly keyName: string;
  readonly keyId: number;
  readonly publicKey: KeyObject;
}

const SIGNATURE_LINE_PREFIX = '\u2014 '; // em dash U+2014, space (c2sp.org/signed-note "Format")
const MAX_NOTE_CHARS = 1 << 20;
const MAX_SIGNATURES = 64; // the spec asks verifiers to accept at least 16
const KEY_ID_BYTES = 4;

function malformed(message: string): never {
  throw new TransparencyLogError('LOG_CHECKPOINT_MALFORMED', message);
}

/**
 * Key ID of an ECDSA note key as Sigstore Rekor computes it, and as c2sp.org/signed-note defines
 * for signature type 0x02: the first four bytes of SHA-256 over the DER SubjectPublicKeyInfo,
 * read as a big-endian uint32.
 */
export function ecdsaNoteKeyId(publicKeySpkiDer: Uint8Array): number {
  return createHash('sha256').update(publicKeySpkiDer).digest().readUInt32BE(0);
}

// c2sp.org/signed-note "Signature types": 0x02 = ECDSA as implemented by transparency-dev/witness.
const ECDSA_SIGNATURE_TYPE = 0x02;

/**
 * The verifier key string Go note tooling (golang.org/x/mod/sumdb/note with
 * github.com/transparency-dev/formats/note) accepts for this log key:
 * `<keyName>+<8 hex key ID>+base64(0x02 ‖ DER SPKI)`. For publishing next to the PEM key.
 */
export function noteVerifierKeyString(keyName: string, publicKeySpkiDer: Uint8Array): string {
  const material = Buffer.concat([Uint8Array.of(ECDSA_SIGNATURE_TYPE), publicKeySpkiDer]).toString('base64');
  return `${keyName}+${ecdsaNoteKeyId(publicKeySpkiDer).toString(16).padStart(8, '0')}+${material}`;
}

/**
 * Prepares a log public key (DER SPKI) for {@link verifySignedNote}. Throws LOG_KEY_INVALID unless
 * it is an EC P-256 key, or when `keyName` is not a valid note key name.
 */
export function createNoteVerifierKey(keyName: string, publicKeySpkiDer: Uint8Array): NoteVerifierKey {
  if (!isValidOrigin(keyName)) throw new TransparencyLogError('LOG_KEY_INVALID', 'invalid note key name');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(publicKeySpkiDer), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new TransparencyLogError('LOG_KEY_INVALID', 'log public key is not a DER SubjectPublicKeyInfo', { cause });
  }
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TransparencyLogError('LOG_KEY_INVALID', 'log public key is not an ECDSA P-256 key');
  }
  return { keyName, keyId: ecdsaNoteKeyId(publicKeySpkiDer), publicKey };
}

function signatureLine(keyName: string, keyId: number, signature: Uint8Array): string {
  const bytes = Buffer.alloc(KEY_ID_BYTES + signature.length);
  bytes.writeUInt32BE(keyId, 0);
  bytes.set(signature, KEY_ID_BYTES);
  return `${SIGNATURE_LINE_PREFIX}${keyName} ${bytes.toString('base64')}\n`;
}

/**
 * Signs `text` (which must end in `\n`) as a signed note with one ECDSA P-256 signature line in
 * Rekor's form: `— <keyName> base64(keyId ‖ DER(ECDSA(SHA-256(text))))`. Throws
 * LOG_CHECKPOINT_MALFORMED for text a note cannot carry, EncodingError ENCODING_SIGNATURE_INVALID
 * when the signer returns something that is not a P-256 r‖s; signer failures propagate unchanged.
 */
export async function signNote(text: string, keyName: string, signer: Signer): Promise<string> {
  if (!text.endsWith('\n') || hasForbiddenControl(text)) malformed('note text must end in \\n, no control chars');
  if (!isValidOrigin(keyName)) malformed('invalid note key name');
  const p1363 = await signer.sign(new TextEncoder().encode(text));
  const keyId = ecdsaNoteKeyId(signer.publicKeySpkiDer);
  return `${text}\n${signatureLine(keyName, keyId, p1363ToDer(p1363))}`;
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_LINE_PREFIX)) malformed('signature line must start with an em dash');
  const fields = line.slice(SIGNATURE_LINE_PREFIX.length).split(' ');
  const [keyName, encoded] = fields;
  if (fields.length !== 2 || keyName === undefined || encoded === undefined || !isValidOrigin(keyName)) {
    malformed('signature line must be "— <key name> <base64>"');
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length <= KEY_ID_BYTES || bytes.toString('base64') !== encoded) {
    malformed('signature is not standard base64 of a key ID and a signature');
  }
  return { keyName, keyId: bytes.readUInt32BE(0), signature: new Uint8Array(bytes.subarray(KEY_ID_BYTES)) };
}

/**
 * Splits a signed note into its text and signature lines at the last blank line
 * (c2sp.org/signed-note "Format"). Verifies nothing. Throws LOG_CHECKPOINT_MALFORMED.
 */
export function parseSignedNote(note: string): SignedNote {
  if (note.length > MAX_NOTE_CHARS) malformed('note is too large');
  if (hasForbiddenControl(note)) malformed('note has control characters other than newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) malformed('note must be text, a blank line, then signature lines');
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) malformed('note has too many signatures');
  return { text: note.slice(0, split + 1), signatures: lines.map(parseSignatureLine) };
}

function ecdsaVerifies(message: Uint8Array, publicKey: KeyObject, derSignature: Uint8Array): boolean {
  try {
    return verify('sha256', message, publicKey, derSignature);
  } catch {
    return false; // OpenSSL rejects undecodable DER with an error rather than `false`
  }
}

/**
 * Verifies a signed note against one trusted key and returns its text. Follows
 * c2sp.org/signed-note: lines from other keys are ignored; every line whose key name and key ID
 * match `key` must verify (else LOG_CHECKPOINT_SIGNATURE_INVALID); at least one must exist (else
 * LOG_CHECKPOINT_UNSIGNED). Malformed notes throw LOG_CHECKPOINT_MALFORMED.
 */
export function verifySignedNote(note: string, key: NoteVerifierKey): string {
  const parsed = parseSignedNote(note);
  const mine = parsed.signatures.filter((s) => s.keyName === key.keyName && s.keyId === key.keyId);
  if (mine.length === 0) {
    throw new TransparencyLogError(
      'LOG_CHECKPOINT_UNSIGNED',
      `no signature by key ${key.keyName}+${key.keyId.toString(16).padStart(8, '0')}`,
    );
  }
  const message = Buffer.from(parsed.text, 'utf8');
  for (const line of mine) {
    if (!ecdsaVerifies(message, key.publicKey, line.signature)) {
      throw new TransparencyLogError('LOG_CHECKPOINT_SIGNATURE_INVALID', `signature by ${key.keyName} does not verify`);
    }
  }
  return parsed.text;
}
