/**
 * A v1 attestation: what one device permanently contains, as read back after provisioning
 * (docs/attestation.md). All hex is lowercase; times are RFC 3339 UTC with milliseconds.
 */
export interface Attestation {
  readonly formatVersion: 1;
  /** Ingrain's device record id. */
  readonly deviceId: string;
  readonly product: string;
  readonly serial: string;
  readonly layout: {
    readonly name: string;
    readonly version: number;
    /** layoutDigest of the normalized layout (libs/otp). */
    readonly digestSha256: string;
  };
  readonly chip: {
    readonly family: string;
    /** Get ID product id (AN3155 §3.3), e.g. 1043 = 0x413. */
    readonly productId: number;
    readonly uidHex: string;
  };
  readonly otp: {
    /** Every OTP data byte as read back, with each secret field's bytes replaced by 0x00. */
    readonly dataHex: string;
    /** SHA-256 of the bytes of dataHex (masked). */
    readonly dataSha256: string;
    /** Every lock byte as read back (empty on families without lock bytes). */
    readonly lockBytesHex: string;
    readonly lockBytesSha256: string;
    /** Secret fields, sorted by offset, non-overlapping. */
    readonly secretFields: readonly AttestedSecretField[];
  };
  /** SHA-256 of the device certificate DER. */
  readonly deviceCertificateSha256: string;
  readonly stationId: string;
  readonly jobId: string;
  readonly workOrderId: string | null;
  /** When the station verified the read-back (and locked). */
  readonly provisionedAt: string;
  /** When the attestation was built. */
  readonly attestedAt: string;
}

/** A secret field: where it is and a commitment to its value (see commitSecretField). */
export interface AttestedSecretField {
  readonly name: string;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly commitmentSha256: string;
}
