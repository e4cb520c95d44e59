import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { bytesToBase64Url, base64UrlToBytes, hexToBytes } from '#ingrain/encoding';
import type { P256KeyPair } from './dhkem-p256.js';
import { HpkeError, StationSealError } from './errors.js';
import { hpkeOpen, sealWithEphemeral } from './hpke.js';
import {
  ascii,
  concatBytes,
  HPKE_P256_SHA256_AES128GCM,
  HPKE_P256_SHA256_AES256GCM,
  i2osp,
  type HpkeSuite,
} from './suite.js';

// The sealed-secrets envelope of a claim: the secret part of a device's image, sealed with HPKE
// (RFC 9180, mode_base) to the claiming station's public key and bound to device, chip, claim and
// station through HPKE's info. docs/sealing.md is the normative description of these bytes.

/** The envelope format version; also part of the info bytes' domain label. */
export const STATION_SEAL_VERSION = 1;
/** Domain label that starts the info bytes (docs/sealing.md). */
export const STATION_SEAL_DOMAIN = 'ingrain-station-seal/v1';

/** Envelope suite names and the HPKE suite each stands for. */
export const STATION_SEAL_SUITES = {
  'hpke-p256-sha256-aes256gcm': HPKE_P256_SHA256_AES256GCM,
  'hpke-p256-sha256-aes128gcm': HPKE_P256_SHA256_AES128GCM,
} as const satisfies Record<string, HpkeSuite>;
export type StationSealSuiteName = keyof typeof STATION_SEAL_SUITES;
/** The suite {@link sealForStation} uses unless told otherwise. */
export const DEFAULT_STATION_SEAL_SUITE: StationSealSuiteName = 'hpke-p256-sha256-aes256gcm';

/** Largest plaintext sealed: a device image's secrets are far smaller (OTP areas are 512-1024 bytes). */
export const STATION_SEAL_MAX_PLAINTEXT_BYTES = 65_536;
/** base64url length of the largest ciphertext: (plaintext + 16-byte tag) bytes, 4 characters per 3. */
const MAX_CIPHERTEXT_CHARS = Math.ceil(((STATION_SEAL_MAX_PLAINTEXT_BYTES + 16) * 4) / 3);
/** STM32 UIDs are 12 bytes; 32 matches the station report's limit (libs/contracts). */
const MAX_CHIP_UID_BYTES = 32;

/**
 * What an envelope is bound to. A station opens it only with exactly these values; any member that
 * differs makes {@link openAsStation} fail.
 */
export interface StationSealBinding {
  /** The device's id (the API's UUID), 1-255 printable ASCII characters. */
  readonly deviceId: string;
  /** The chip's unique id as hex (either case: the bytes are bound, not the text), 1-32 bytes. */
  readonly chipUid: string;
  /** The claim that hands this device to the station, 1-255 printable ASCII characters. */
  readonly claimId: string;
  /** The claiming station's id, 1-255 printable ASCII characters. */
  readonly stationId: string;
}

/** The sealed envelope as it travels in JSON (docs/sealing.md). */
export interface StationSealedEnvelope {
  readonly version: typeof STATION_SEAL_VERSION;
  readonly suite: StationSealSuiteName;
  /** base64url (RFC 4648 §5, unpadded) of HPKE's enc: the 65-byte ephemeral public key. */
  readonly enc: string;
  /** base64url (unpadded) of the AEAD ciphertext followed by its 16-byte tag. */
  readonly ciphertext: string;
}

const printableId = z.string().regex(/^[\x21-\x7e]{1,255}$/);
const bindingSchema = z.strictObject({
  deviceId: printableId,
  chipUid: z
    .string()
    .regex(/^(?:[0-9a-fA-F]{2}){1,32}$/)
    .transform((hex) => hexToBytes(hex)),
  claimId: printableId,
  stationId: printableId,
});

const base64Url = z.string().regex(/^[A-Za-z0-9_-]*$/);
const envelopeSchema = z.strictObject({
  version: z.literal(STATION_SEAL_VERSION),
  suite: z.enum(Object.keys(STATION_SEAL_SUITES) as [StationSealSuiteName, ...StationSealSuiteName[]]),
  enc: base64Url.length(87), // 65 bytes
  ciphertext: base64Url.min(22).max(MAX_CIPHERTEXT_CHARS), // at least the 16-byte tag
});

/**
 * The canonical info bytes of a binding (docs/sealing.md §"Info bytes"):
 * `lp(domain) || lp(deviceId) || lp(chipUid bytes) || lp(claimId) || lp(stationId)` where
 * `lp(x) = I2OSP(len(x), 2) || x` and the ids are their ASCII bytes.
 * @throws StationSealError SEAL_BINDING_INVALID naming the member that is not well formed.
 */
export function stationSealInfo(binding: StationSealBinding): Uint8Array {
  const parsed = bindingSchema.safeParse(binding);
  if (!parsed.success) {
    const members = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'binding'))];
    throw new StationSealError(
      'SEAL_BINDING_INVALID',
      `binding member(s) ${members.join(', ')} invalid: ids are 1-255 printable ASCII characters, ` +
        `chipUid is 1-${MAX_CHIP_UID_BYTES} bytes of hex`,
    );
  }
  const { deviceId, chipUid, claimId, stationId } = parsed.data;
  return concatBytes(
    ...[ascii(STATION_SEAL_DOMAIN), ascii(deviceId), chipUid, ascii(claimId), ascii(stationId)].map(lengthPrefixed),
  );
}

/** Input of {@link sealForStation}. */
export interface SealForStationInput {
  /** The station's registered public key: a 65-byte uncompressed SEC1 P-256 point. */
  readonly stationPublicKey: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly binding: StationSealBinding;
  readonly suite?: StationSealSuiteName;
}

/**
 * Seals `plaintext` so that only the holder of the station's private key can open it, and only
 * for the same binding. Every call uses a fresh ephemeral key.
 * @throws StationSealError SEAL_BINDING_INVALID, SEAL_PLAINTEXT_TOO_LARGE (over 64 KiB); HpkeError HPKE_INVALID_PUBLIC_KEY for a key that
 * is not an uncompressed P-256 point, HPKE_INVALID_ARGUMENT when plaintext is not bytes.
 */
export function sealForStation(input: SealForStationInput): StationSealedEnvelope {
  return sealForStationWithEphemeral(input, undefined);
}

/** {@link sealForStation} with a fixed ephemeral key: the worked example of docs/sealing.md only. Internal. */
export function sealForStationWithEphemeral(
  input: SealForStationInput,
  ephemeral: P256KeyPair | undefined,
): StationSealedEnvelope {
  const suiteName = input.suite ?? DEFAULT_STATION_SEAL_SUITE;
  const suite: HpkeSuite | undefined = STATION_SEAL_SUITES[suiteName];
  if (suite === undefined) {
    throw new HpkeError('HPKE_UNSUPPORTED_SUITE', `unknown station seal suite (expected one of ${suiteNames()})`);
  }
  const info = stationSealInfo(input.binding);
  if (input.plaintext instanceof Uint8Array && input.plaintext.length > STATION_SEAL_MAX_PLAINTEXT_BYTES) {
    throw new StationSealError(
      'SEAL_PLAINTEXT_TOO_LARGE',
      `plaintext has ${input.plaintext.length} bytes, more than ${STATION_SEAL_MAX_PLAINTEXT_BYTES}`,
    );
  }
  const sealed = sealWithEphemeral(
    { suite, recipientPublicKey: input.stationPublicKey, info, aad: new Uint8Array(0), plaintext: input.plaintext },
    ephemeral,
  );
  return {
    version: STATION_SEAL_VERSION,
    suite: suiteName,
    enc: bytesToBase64Url(sealed.enc),
    ciphertext: bytesToBase64Url(sealed.ciphertext),
  };
}

/**
 * Checks the shape of an envelope received as JSON: version 1, a known suite, canonical unpadded
 * base64url fields of plausible lengths, no other members.
 * @throws StationSealError SEAL_ENVELOPE_INVALID naming the member(s) at fault.
 */
export function parseStationSealedEnvelope(value: unknown): StationSealedEnvelope {
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) {
    const members = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'envelope'))];
    throw new StationSealError(
      'SEAL_ENVELOPE_INVALID',
      `sealed envelope malformed at ${members.join(', ')} (expected version ${STATION_SEAL_VERSION}, ` +
        `suite one of ${suiteNames()}, base64url enc and ciphertext)`,
    );
  }
  return parsed.data;
}

/** Input of {@link openAsStation}. */
export interface OpenAsStationInput {
  readonly stationPrivateKey: KeyObject;
  /** The envelope as received (parsed here: it may come straight from JSON). */
  readonly envelope: unknown;
  /** What this station expects: its own id, and the device, chip and claim it is working on. */
  readonly binding: StationSealBinding;
}

/**
 * Opens an envelope sealed by {@link sealForStation}. The caller owns the returned secret bytes
 * (overwrite them with zeros once written to the chip).
 * @throws StationSealError SEAL_ENVELOPE_INVALID for a malformed envelope, SEAL_BINDING_INVALID
 * for a malformed binding, SEAL_OPEN_FAILED when it does not open (another station's key, a binding
 * member that differs, or any altered byte); HpkeError HPKE_INVALID_PRIVATE_KEY for a key that is
 * not a P-256 private key.
 */
export function openAsStation(input: OpenAsStationInput): Uint8Array {
  const envelope = parseStationSealedEnvelope(input.envelope);
  const info = stationSealInfo(input.binding);
  let enc: Uint8Array;
  let ciphertext: Uint8Array;
  try {
    enc = base64UrlToBytes(envelope.enc);
    ciphertext = base64UrlToBytes(envelope.ciphertext);
  } catch (error) {
    throw new StationSealError(
      'SEAL_ENVELOPE_INVALID',
      'sealed envelope enc or ciphertext is not canonical base64url',
      {
        cause: error,
      },
    );
  }
  try {
    return hpkeOpen({
      suite: STATION_SEAL_SUITES[envelope.suite],
      recipientPrivateKey: input.stationPrivateKey,
      enc,
      info,
      aad: new Uint8Array(0),
      ciphertext,
    });
  } catch (error) {
    if (error instanceof HpkeError && (error.code === 'HPKE_OPEN_FAILED' || error.code === 'HPKE_DECAP_FAILED')) {
      throw new StationSealError(
        'SEAL_OPEN_FAILED',
        'sealed envelope does not open with this station key and binding: it was sealed for another station, ' +
          'device, chip or claim, or it was altered',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The fingerprint of a station's sealing public key, as the API, the station and logs show it
 * instead of the key: `sha256:` + lowercase hex SHA-256 of the 65-byte uncompressed point.
 */
export function stationKeyFingerprint(publicKey: Uint8Array): string {
  return `sha256:${createHash('sha256').update(publicKey).digest('hex')}`;
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concatBytes(i2osp(bytes.length, 2), bytes);
}

function suiteNames(): string {
  return Object.keys(STATION_SEAL_SUITES).join(', ');
}
