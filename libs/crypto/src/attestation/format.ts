/** The attestation format version this library writes and reads (docs/attestation.md). */
export const ATTESTATION_FORMAT_VERSION = 1;

/** DSSE payloadType of a v1 attestation. */
export const ATTESTATION_PAYLOAD_TYPE = 'application/vnd.ingrain.attestation.v1+json';

/** payloadType of any Ingrain attestation version; the capture group is the version. */
export const ATTESTATION_PAYLOAD_TYPE_PATTERN = /^application\/vnd\.ingrain\.attestation\.v(\d+)\+json$/;

/** The value that replaces every byte of a secret field in `otp.dataHex`. */
export const SECRET_MASK_BYTE = 0x00;

/** Domain-separation prefix of a secret-field commitment (followed by one 0x00 byte). */
export const SECRET_COMMITMENT_DOMAIN = 'ingrain.attestation.v1.secret-field-commitment';

/** Accepted salt lengths for commitments (32 recommended). */
export const COMMITMENT_SALT_MIN_BYTES = 16;
export const COMMITMENT_SALT_MAX_BYTES = 64;

/** Size limits of a v1 attestation. */
export const MAX_OTP_DATA_BYTES = 4096;
export const MAX_LOCK_BYTES = 256;
export const MAX_SECRET_FIELDS = 64;
