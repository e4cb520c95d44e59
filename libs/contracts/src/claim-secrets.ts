// The plaintext sealed to the claiming station (docs/sealing.md, "The plaintext"): the secret
// bytes of a claimed image, by range. The API splits an image with splitClaimSecrets and seals the
// plaintext; the station opens it and puts the bytes back with mergeClaimSecrets. One declaration
// for both sides.
import { z } from 'zod';
import { bytesToHex, hexToBytes, strictCanonicalJsonBytes } from '#ingrain/encoding';
import { ContractError } from './errors.js';

/** The plaintext format version (member `version`). */
export const CLAIM_SECRETS_VERSION = 1;

/** An OTP range of the image that holds secret bytes (the claim's `secretRanges`). */
export interface SecretRange {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

/** An image split for sealing: the part that travels in clear and the sealed plaintext. */
export interface SplitImage {
  /** A copy of the image with every secret range's bytes zeroed. */
  readonly publicData: Uint8Array;
  /** Canonical JSON bytes of `{ version, secrets: [{ offsetBytes, dataHex }] }`: SECRET. */
  readonly plaintext: Uint8Array;
}

const plaintextSchema = z.strictObject({
  version: z.literal(CLAIM_SECRETS_VERSION),
  secrets: z
    .array(
      z.strictObject({
        offsetBytes: z.int().min(0),
        dataHex: z.string().regex(/^(?:[0-9a-f]{2})+$/),
      }),
    )
    .max(4096),
});

/**
 * Splits an image into its public part and the plaintext to seal. Ranges are taken in the order
 * given (the claim's `secretRanges`); the plaintext is RFC 8785 canonical JSON (UTF-8):
 * `{"secrets":[{"dataHex":"<lowercase hex>","offsetBytes":<n>},…],"version":1}`.
 * The caller owns both results; zero `plaintext` once sealed.
 * @throws ContractError CLAIM_SECRETS_INVALID when a range lies outside the image.
 */
export function splitClaimSecrets(data: Uint8Array, ranges: readonly SecretRange[]): SplitImage {
  const publicData = Uint8Array.from(data);
  const secrets = ranges.map((range) => {
    checkRange(range, data.length);
    const end = range.offsetBytes + range.lengthBytes;
    const dataHex = bytesToHex(data.subarray(range.offsetBytes, end));
    publicData.fill(0, range.offsetBytes, end);
    return { offsetBytes: range.offsetBytes, dataHex };
  });
  return { publicData, plaintext: strictCanonicalJsonBytes({ version: CLAIM_SECRETS_VERSION, secrets }) };
}

/**
 * Writes the opened secrets into the public image (in place) and checks they are exactly the
 * claim's secret ranges: the same ranges, in the same order, each of its full length — a plaintext
 * that covers more, less or other bytes than the claim announced is refused, so no clear byte of
 * the image is ever overwritten and no secret range is left zeroed.
 * @throws ContractError CLAIM_SECRETS_INVALID (the message names the rule, never a byte).
 */
export function mergeClaimSecrets(publicData: Uint8Array, plaintext: Uint8Array, ranges: readonly SecretRange[]): void {
  const secrets = parsePlaintext(plaintext);
  if (secrets.length !== ranges.length) {
    throw invalid(`the plaintext holds ${secrets.length} secret range(s), the claim announces ${ranges.length}`);
  }
  // Every entry is checked before the first byte is written: a refused plaintext changes nothing.
  ranges.forEach((range, index) => {
    checkRange(range, publicData.length);
    const secret = secrets[index]!;
    if (secret.offsetBytes !== range.offsetBytes || secret.dataHex.length !== range.lengthBytes * 2) {
      throw invalid(
        `secret ${index} is not the claim's range at offset ${range.offsetBytes} (${range.lengthBytes} bytes)`,
      );
    }
  });
  secrets.forEach((secret) => {
    const bytes = hexToBytes(secret.dataHex);
    publicData.set(bytes, secret.offsetBytes);
    bytes.fill(0);
  });
}

function parsePlaintext(plaintext: Uint8Array): z.output<typeof plaintextSchema>['secrets'] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    // The parser's message may quote the text: it is not kept.
    throw invalid('the plaintext is not UTF-8 JSON');
  }
  const parsed = plaintextSchema.safeParse(value);
  if (!parsed.success) {
    const paths = [...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(plaintext)'))];
    throw invalid(`the plaintext does not parse at ${paths.join(', ')}`);
  }
  return parsed.data.secrets;
}

function checkRange(range: SecretRange, imageBytes: number): void {
  if (range.offsetBytes < 0 || range.lengthBytes < 1 || range.offsetBytes + range.lengthBytes > imageBytes) {
    throw invalid(
      `the secret range at offset ${range.offsetBytes} (${range.lengthBytes} bytes) lies outside the image`,
    );
  }
}

function invalid(message: string): ContractError {
  return new ContractError('CLAIM_SECRETS_INVALID', message);
}
