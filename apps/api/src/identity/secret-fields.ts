// The secret fields of a device's OTP image as the API records them: where they lie and what they
// commit to, never their values (docs/attestation.md, "Secret fields").

/** Where a secret field lies in OTP data (offset from OTP byte 0). */
export interface ByteRange {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

/** One secret field of a device: the `devices.secret_fields` entry and the attestation's. */
export interface SecretFieldRecord extends ByteRange {
  /** The layout field name. */
  readonly name: string;
  /** Lowercase hex commitment (libs/crypto commitSecretField) to the bytes written into OTP. */
  readonly commitmentSha256: string;
}

/** The names of the secret fields whose bytes in `data` are not all 0x00 (the mask value). */
export function unmaskedSecretFields(
  data: Uint8Array,
  fields: readonly (ByteRange & { readonly name?: string })[],
): string[] {
  return fields
    .filter((field) => data.subarray(field.offsetBytes, field.offsetBytes + field.lengthBytes).some((b) => b !== 0))
    .map((field) => field.name ?? `bytes ${field.offsetBytes}-${field.offsetBytes + field.lengthBytes - 1}`);
}
