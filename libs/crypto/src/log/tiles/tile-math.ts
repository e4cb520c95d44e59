import type { NodeId } from '../tree-math.js';
import { TILE_HEIGHT, TILE_WIDTH, type TileCoordinates } from './tile-paths.js';

/** 256^level: the leaves under one hash of a level-`level` tile. */
export function leavesPerTileHash(level: number): number {
  return TILE_WIDTH ** level;
}

/**
 * How many hashes (entries, for `'entries'`) tile `index` at `level` holds in a tree of `treeSize`
 * leaves: 256 for a full tile, 1–255 for the right edge, 0 when the tree does not reach it. A hash
 * at level L is the root of a complete subtree of 256^L leaves (tree level 8·L).
 */
export function tileWidthAt(level: number | 'entries', index: number, treeSize: number): number {
  const hashesAtLevel = Math.floor(treeSize / leavesPerTileHash(level === 'entries' ? 0 : level));
  return Math.max(0, Math.min(TILE_WIDTH, hashesAtLevel - index * TILE_WIDTH));
}

/** The stored tree nodes a hash tile lists, in order: tree level 8·L, indices N·256 … N·256+W−1. */
export function hashTileNodes(tile: TileCoordinates & { level: number }): NodeId[] {
  const first = tile.index * TILE_WIDTH;
  return Array.from({ length: tile.width }, (_, i) => ({ level: tile.level * TILE_HEIGHT, index: first + i }));
}

/** The entry bundle covering leaf `leafIndex` and the position of that leaf in it. */
export function entryBundleOf(leafIndex: number): { index: number; offset: number } {
  return { index: Math.floor(leafIndex / TILE_WIDTH), offset: leafIndex % TILE_WIDTH };
}

/** The entry bundles (full or partial) that hold leaves [begin, end) of a tree of `treeSize` leaves. */
export function entryBundlesFor(begin: number, end: number, treeSize: number): TileCoordinates[] {
  const bundles: TileCoordinates[] = [];
  if (end <= begin) return bundles;
  for (let index = Math.floor(begin / TILE_WIDTH); index * TILE_WIDTH < end; index++) {
    bundles.push({ level: 'entries', index, width: tileWidthAt('entries', index, treeSize) });
  }
  return bundles;
}
