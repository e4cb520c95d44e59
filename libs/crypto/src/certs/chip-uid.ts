// The chip binding of a device certificate (docs/certificates.md, "Chip binding"): the chip UID in
// a non-critical private extension (OCTET STRING of the UID bytes) and in a subject attribute
// (PrintableString of the UID in lowercase hex). Both always together, and equal.
import { EncodingError } from '#ingrain/encoding';
import { bytesToHex } from '#ingrain/encoding';
import { type DerNode, derOctetString, expectTag, parseDer, DerTag } from '../encoding/index.js';
import { encodeExtension } from './extensions.js';
import { CHIP_UID_HEX_PATTERN } from './names.js';
import { Oid } from './oids.js';

/** Longest chip UID the profile takes (bytes); STM32 UIDs are 12. */
export const MAX_CHIP_UID_BYTES = 32;

/**
 * The chip UID extension: `Extension { extnID 2.25.<arc>.1, critical FALSE (omitted), extnValue
 * OCTET STRING (DER of ChipUid) }` where `ChipUid ::= OCTET STRING (SIZE (1..32))` holds the UID bytes.
 */
export function chipUidExtension(chipUidHex: string): DerNode {
  return encodeExtension(Oid.chipUidExtension, false, derOctetString(Buffer.from(chipUidHex, 'hex')));
}

/**
 * The UID in lowercase hex from the extension's extnValue contents (the DER of ChipUid).
 * @throws EncodingError ENCODING_DER_INVALID for anything but one OCTET STRING of 1–32 bytes.
 */
export function decodeChipUidExtension(valueDer: Uint8Array): string {
  const { contents } = expectTag(parseDer(valueDer), DerTag.octetString, 'chip UID');
  if (contents.length === 0 || contents.length > MAX_CHIP_UID_BYTES) {
    throw new EncodingError('ENCODING_DER_INVALID', `invalid DER: chip UID must be 1-${MAX_CHIP_UID_BYTES} bytes`);
  }
  return bytesToHex(contents);
}

/** The subject attribute's text: the UID in lowercase hex (a PrintableString). */
export function chipUidAttributeValue(chipUidHex: string): string {
  if (!CHIP_UID_HEX_PATTERN.test(chipUidHex)) throw new RangeError('chip UID must be 1-32 bytes of hex');
  return chipUidHex.toLowerCase();
}
