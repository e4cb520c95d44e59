// c2sp.org/tlog-tiles: tile paths, tile widths, entry bundles, and rebuilding a tree from entries.
export {
  TILE_HEIGHT,
  TILE_WIDTH,
  MAX_TILE_LEVEL,
  type TileCoordinates,
  encodeTileIndex,
  tilePath,
  parseTilePath,
} from './tile-paths.js';
export { leavesPerTileHash, tileWidthAt, hashTileNodes, entryBundleOf, entryBundlesFor } from './tile-math.js';
export { MAX_ENTRY_BYTES, encodeEntryBundle, decodeEntryBundle, decodeHashTile } from './entry-bundle.js';
export { TreeFrontier, type CompletedNode } from './tree-frontier.js';
