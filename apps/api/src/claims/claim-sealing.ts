import { splitClaimSecrets, type SecretRange } from '#ingrain/contracts';
import { sealForStation, type StationSealBinding, type StationSealedEnvelope } from '#ingrain/crypto';

/** A claimed image as it leaves the API: the public part in clear, the secret part sealed. */
export interface SealedImage {
  /** The image with every secret range zeroed. */
  readonly publicData: Uint8Array;
  /** The secret ranges' bytes (docs/sealing.md, "The plaintext"), sealed to the claiming station. */
  readonly sealedSecrets: StationSealedEnvelope;
}

/**
 * Splits a re-materialized image into its public part and its secrets, and seals the secrets with
 * HPKE to the station's public key, bound to device, chip UID, claim and station
 * (docs/sealing.md). The plaintext is zeroed before returning; `data` is the caller's to zero.
 * @throws ContractError CLAIM_SECRETS_INVALID (a range outside the image), StationSealError /
 *   HpkeError (a malformed binding or public key: the database check makes the latter impossible).
 */
export function sealClaimedImage(
  data: Uint8Array,
  secretRanges: readonly SecretRange[],
  stationPublicKey: Uint8Array,
  binding: StationSealBinding,
): SealedImage {
  const { publicData, plaintext } = splitClaimSecrets(data, secretRanges);
  try {
    return { publicData, sealedSecrets: sealForStation({ stationPublicKey, plaintext, binding }) };
  } finally {
    plaintext.fill(0);
  }
}
