import { TransparencyLogError } from '../errors.js';
import { TILE_WIDTH } from './tile-paths.js';

/** Largest entry an entry bundle can hold: its length is a big-endian uint16. */
export const MAX_ENTRY_BYTES = 0xffff;

/** An entry bundle (c2sp.org/tlog-tiles): each entry as a big-endian uint16 length, then its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) {
    throw new TransparencyLogError('LOG_TILE_INVALID', `an entry bundle holds at most ${TILE_WIDTH} entries`);
  }
  let total = 0;
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_BYTES) {
      throw new TransparencyLogError(
        'LOG_TILE_INVALID',
        `an entry of ${entry.length} bytes exceeds ${MAX_ENTRY_BYTES}`,
      );
    }
    total += 2 + entry.length;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const entry of entries) {
    bytes[offset] = entry.length >>> 8;
    bytes[offset + 1] = entry.length & 0xff;
    bytes.set(entry, offset + 2);
    offset += 2 + entry.length;
  }
  return bytes;
}

/**
 * The entries of an entry bundle, exactly `expectedCount` of them (the tile's width): a truncated
 * entry, trailing bytes or another count is LOG_TILE_INVALID.
 */
export function decodeEntryBundle(bytes: Uint8Array, expectedCount: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 2 > bytes.length)
      throw new TransparencyLogError('LOG_TILE_INVALID', 'entry bundle ends inside a length');
    const length = ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
    const end = offset + 2 + length;
    if (end > bytes.length) throw new TransparencyLogError('LOG_TILE_INVALID', 'entry bundle ends inside an entry');
    entries.push(bytes.subarray(offset + 2, end));
    offset = end;
  }
  if (entries.length !== expectedCount) {
    throw new TransparencyLogError(
      'LOG_TILE_INVALID',
      `entry bundle holds ${entries.length} entries, expected ${expectedCount}`,
    );
  }
  return entries;
}

/** The hashes of a hash tile (32 bytes each), exactly `expectedCount` of them. */
export function decodeHashTile(bytes: Uint8Array, expectedCount: number): Uint8Array[] {
  if (bytes.length !== expectedCount * 32) {
    throw new TransparencyLogError(
      'LOG_TILE_INVALID',
      `hash tile has ${bytes.length} bytes, expected ${expectedCount * 32} (${expectedCount} hashes)`,
    );
  }
  return Array.from({ length: expectedCount }, (_, i) => bytes.subarray(i * 32, (i + 1) * 32));
}
