// Claim responses as a station reads them (docs/sealing.md): open the sealed secrets with the
// station's key and the binding the caller expects, and put them back into the image. Shared by
// the provisioning integration tests and bench:e2e's API limit.
import type { KeyObject } from 'node:crypto';
import { mergeClaimSecrets } from '#ingrain/contracts';
import { openAsStation, type StationSealBinding } from '#ingrain/crypto';

/** The members of a claim response that opening reads (see DeviceClaim). */
export interface SealedClaim {
  readonly image: { readonly dataHex: string };
  readonly secretRanges: readonly { readonly offsetBytes: number; readonly lengthBytes: number }[];
  readonly sealedSecrets: unknown;
}

/** What opening gives: the full image (SECRET BYTES INCLUDED) and each secret range's bytes. */
export interface OpenedClaim {
  readonly data: Uint8Array;
  readonly secrets: readonly Uint8Array[];
}

/**
 * Opens a claim's sealed secrets with `stationPrivateKey` and `binding` (what the caller expects,
 * never copied from the response) and merges them into the clear image.
 * @throws StationSealError SEAL_OPEN_FAILED and ContractError CLAIM_SECRETS_INVALID as a station would meet them.
 */
export function openClaim(claim: SealedClaim, stationPrivateKey: KeyObject, binding: StationSealBinding): OpenedClaim {
  const plaintext = openAsStation({ stationPrivateKey, envelope: claim.sealedSecrets, binding });
  const data = Uint8Array.from(Buffer.from(claim.image.dataHex, 'hex'));
  mergeClaimSecrets(data, plaintext, claim.secretRanges);
  plaintext.fill(0);
  const secrets = claim.secretRanges.map((range) =>
    data.slice(range.offsetBytes, range.offsetBytes + range.lengthBytes),
  );
  return { data, secrets };
}

/**
 * The ways a secret could show up in a response or a log: hex in either case, base64, base64url,
 * and the text itself when it is printable ASCII (a PIN).
 */
export function secretEncodings(secret: Uint8Array): string[] {
  const bytes = Buffer.from(secret);
  const hex = bytes.toString('hex');
  const encodings = [hex, hex.toUpperCase(), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url')];
  if (bytes.every((byte) => byte >= 0x20 && byte < 0x7f)) encodings.push(bytes.toString('latin1'));
  return encodings;
}
