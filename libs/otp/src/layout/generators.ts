import { type Generator } from './types.js';

/** What each generator produces: its size (null: the layout's `length`) and whether it is secret. */
export interface GeneratorSpec {
  readonly sizeBytes: number | null;
  /** Smallest `length` a variable-size generator accepts. */
  readonly minSizeBytes: number;
  readonly secret: boolean;
}

export const GENERATOR_SPECS: Readonly<Record<Generator, GeneratorSpec>> = {
  // SEC 1 v2 §2.3.3: uncompressed P-256 point 0x04 || X || Y.
  'device-public-key': { sizeBytes: 65, minSizeBytes: 65, secret: false },
  // SHA-256 of the 65-byte uncompressed point.
  'device-public-key-sha256': { sizeBytes: 32, minSizeBytes: 32, secret: false },
  // HSM keyed derivation (e.g. HMAC) of the device identity; the layout chooses the length, at
  // least 128 bits: shorter is guessable, and could by chance be all 0xFF (refused by encodeImage).
  'derived-secret': { sizeBytes: null, minSizeBytes: 16, secret: true },
  // P-256 private scalar.
  'device-private-key': { sizeBytes: 32, minSizeBytes: 32, secret: true },
};
