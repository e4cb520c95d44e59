/**
 * What the verifier needs from the attestation layer, as a narrow port: the verifier orchestrates,
 * the attestation module (libs/crypto/src/attestation) owns the envelope format and its checks.
 */

/** The attested facts the verifier cross-checks against the certificate and a device read. */
export interface AttestationFacts {
  /** Lowercase hex SHA-256 of the device certificate DER the attestation names. */
  readonly deviceCertificateFingerprintSha256: string;
  readonly product: string;
  readonly serial: string;
  readonly deviceId: string;
  readonly chip: {
    readonly family: string;
    readonly productId: number;
    /** Lowercase hex. */
    readonly uidHex: string;
  };
  /** OTP data ranges attested only by commitment (their attested bytes are 0x00). */
  readonly secretFields: readonly {
    readonly name: string;
    readonly offsetBytes: number;
    readonly lengthBytes: number;
  }[];
}

/** Result of comparing a fresh device read with what was attested. */
export interface DeviceReadComparison {
  readonly matches: boolean;
  /** Human-readable differences naming fields/blocks/offsets, never secret byte values. */
  readonly differences: readonly string[];
  /** Secret fields compared only through their commitment, which needs a salt: not checked. */
  readonly uncheckedSecretFields: readonly string[];
}

/** An attestation whose signature verified. */
export interface VerifiedAttestation {
  readonly facts: AttestationFacts;
  compareDeviceRead(otpData: Uint8Array, lockBytes: Uint8Array): DeviceReadComparison;
  /**
   * The envelope's log leaf bytes (what {@link AttestationPort.leafBytes} returns for the same
   * envelope), from the decode that was verified. Optional: without it the verifier asks the port.
   */
  readonly leafBytes?: () => Uint8Array;
  /** The attested OTP data (lowercase hex, secret fields 00), for the chip-binding check. Optional. */
  readonly attestedOtpDataHex?: () => string;
}

/** The attestation operations the verifier uses; errors thrown carry a stable `code`. */
export interface AttestationPort {
  /** Verifies the envelope's signature with the attestation key and returns its facts. */
  verify(envelope: Readonly<Record<string, unknown>>, attestationPublicKeySpkiDer: Uint8Array): VerifiedAttestation;
  /** The exact bytes the transparency log hashed as this attestation's leaf. */
  leafBytes(envelope: Readonly<Record<string, unknown>>): Uint8Array;
}
