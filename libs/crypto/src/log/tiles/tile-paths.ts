import { TransparencyLogError } from '../errors.js';

/** Tile height of c2sp.org/tlog-tiles: a tile holds up to 2^8 = 256 hashes (or entries). */
export const TILE_HEIGHT = 8;
/** Hashes (or entries) in a full tile. */
export const TILE_WIDTH = 256;
/** The highest tile level a path may name (levels are 0–63). */
export const MAX_TILE_LEVEL = 63;

/** A hash tile (`level` ≥ 0) or an entry bundle (`level` = 'entries'). `width` < 256: a partial tile. */
export interface TileCoordinates {
  readonly level: number | 'entries';
  readonly index: number;
  /** 1–256; 256 is a full tile (no `.p/` suffix). */
  readonly width: number;
}

function invalid(message: string): never {
  throw new TransparencyLogError('LOG_TILE_INVALID', message);
}

/**
 * The tile index as tlog-tiles path elements: zero-padded 3-digit groups, every group but the
 * last prefixed with `x` (1234067 → `x001/x234/067`, 5 → `005`).
 */
export function encodeTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) invalid(`tile index ${index} is not a non-negative integer`);
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

/** The path of a tile below the log prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. */
export function tilePath(tile: TileCoordinates): string {
  const level = tile.level === 'entries' ? 'entries' : String(tile.level);
  if (tile.level !== 'entries' && !(Number.isInteger(tile.level) && tile.level >= 0 && tile.level <= MAX_TILE_LEVEL)) {
    invalid(`tile level ${tile.level} is outside 0–${MAX_TILE_LEVEL}`);
  }
  if (!Number.isInteger(tile.width) || tile.width < 1 || tile.width > TILE_WIDTH) {
    invalid(`tile width ${tile.width} is outside 1–${TILE_WIDTH}`);
  }
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${level}/${encodeTileIndex(tile.index)}${partial}`;
}

const GROUP = /^\d{3}$/;
const PREFIXED_GROUP = /^x\d{3}$/;

/**
 * Parses the part of a URL after the log prefix (`tile/…`), exactly: canonical level, index
 * groups (no superfluous leading `x000` group), width 1–255 in canonical decimal after `.p/`.
 * Throws TransparencyLogError LOG_TILE_INVALID naming what is wrong.
 */
export function parseTilePath(path: string): TileCoordinates {
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) invalid('a tile path is tile/<L>/<N>[.p/<W>]');
  const levelText = parts[1] ?? '';
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else if (/^(0|[1-9]\d?)$/.test(levelText) && Number(levelText) <= MAX_TILE_LEVEL) level = Number(levelText);
  else invalid(`tile level "${levelText}" is not entries or a decimal 0–${MAX_TILE_LEVEL}`);
  let rest = parts.slice(2);
  let width = TILE_WIDTH;
  const last = rest[rest.length - 1] ?? '';
  const beforeLast = rest[rest.length - 2];
  if (beforeLast?.endsWith('.p') === true) {
    if (!/^[1-9]\d{0,2}$/.test(last) || Number(last) >= TILE_WIDTH) invalid(`partial width "${last}" is not 1–255`);
    width = Number(last);
    rest = [...rest.slice(0, -2), beforeLast.slice(0, -2)];
  }
  const groups = rest.map((group, i) => {
    const pattern = i < rest.length - 1 ? PREFIXED_GROUP : GROUP;
    if (!pattern.test(group)) invalid(`tile index element "${group}" is not ${i < rest.length - 1 ? 'x' : ''}NNN`);
    return Number(group.replace('x', ''));
  });
  if (groups.length > 1 && groups[0] === 0) invalid('tile index has a leading x000 element');
  const index = groups.reduce((acc, group) => acc * 1000 + group, 0);
  if (!Number.isSafeInteger(index)) invalid('tile index is too large');
  return { level, index, width };
}
