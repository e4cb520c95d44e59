import type { KeyObject } from 'node:crypto';
import { ContractError, mergeClaimSecrets, type SecretRange } from '#ingrain/contracts';
import { openAsStation, StationSealError, type StationSealBinding } from '#ingrain/crypto';
import { bytesToHex, tryHexToBytes } from '#ingrain/encoding';

/** Why a claim's sealed secrets could not be put into its image (never which bytes). */
export type UnopenedReason =
  /** Another station's key, a binding member that differs, or an altered byte (docs/sealing.md). */
  | 'SEAL_OPEN_FAILED'
  /** The envelope is malformed. */
  | 'SEAL_ENVELOPE_INVALID'
  /** The binding this station expects is malformed (e.g. a device id that is not printable ASCII). */
  | 'SEAL_BINDING_INVALID'
  /** It opened, but its plaintext is not exactly the claim's secret ranges. */
  | 'CLAIM_SECRETS_INVALID';

export type OpenedImage =
  { readonly opened: true; readonly dataHex: string } | { readonly opened: false; readonly reason: UnopenedReason };

export interface SealedClaimImage {
  /** The image in clear, its secret ranges zeroed. */
  readonly dataHex: string;
  readonly secretRanges: readonly SecretRange[];
  readonly sealedSecrets: unknown;
}

/**
 * Opens a claim's sealed secrets with the station's private key and the binding this station
 * expects (its own id, the device and claim it is working on, the UID it read from the chip), and
 * merges them into the image: the full image as hex, SECRET BYTES INCLUDED (memory only). A claim
 * that does not open is an outcome, never an exception, and its reason names no byte.
 * @throws HpkeError HPKE_INVALID_PRIVATE_KEY (a key that is not P-256: caught at start).
 */
export function openClaimedImage(
  claim: SealedClaimImage,
  stationPrivateKey: KeyObject,
  binding: StationSealBinding,
): OpenedImage {
  const data = tryHexToBytes(claim.dataHex);
  if (data === undefined) return { opened: false, reason: 'CLAIM_SECRETS_INVALID' };
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = openAsStation({ stationPrivateKey, envelope: claim.sealedSecrets, binding });
    mergeClaimSecrets(data, plaintext, claim.secretRanges);
    return { opened: true, dataHex: bytesToHex(data) };
  } catch (error) {
    if (error instanceof StationSealError && error.code !== 'SEAL_PLAINTEXT_TOO_LARGE')
      return { opened: false, reason: error.code };
    if (error instanceof ContractError && error.code === 'CLAIM_SECRETS_INVALID')
      return { opened: false, reason: 'CLAIM_SECRETS_INVALID' };
    throw error;
  } finally {
    plaintext?.fill(0);
    data.fill(0);
  }
}
