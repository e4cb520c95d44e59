import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { p256PublicKeyBytes } from '../hpke/dhkem-p256.js';

/** A station sealing key pair for tests (production: `ingrain-station keygen`, docs/station.md). */
export interface TestStationKey {
  readonly privateKey: KeyObject;
  /** The 65-byte uncompressed point the API seals to. */
  readonly publicKey: Uint8Array;
  /** The same as SEC1 hex, as keygen prints it and `POST /v1/stations` takes it. */
  readonly publicKeyHex: string;
}

/** A fresh P-256 station key pair, in memory. */
export function testStationKey(): TestStationKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const bytes = p256PublicKeyBytes(publicKey);
  return { privateKey, publicKey: bytes, publicKeyHex: Buffer.from(bytes).toString('hex') };
}
