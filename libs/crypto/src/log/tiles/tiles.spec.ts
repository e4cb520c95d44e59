import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashLeaf } from '../hashing.js';
import { InMemoryLogStore } from '../memory-log-store.js';
import { NodeTestSigner } from '../testing/node-signer.js';
import { TransparencyLog } from '../transparency-log.js';
import { decodeEntryBundle, decodeHashTile, encodeEntryBundle } from './entry-bundle.js';
import { entryBundlesFor, hashTileNodes, tileWidthAt } from './tile-math.js';
import { encodeTileIndex, parseTilePath, tilePath } from './tile-paths.js';
import { TreeFrontier, type CompletedNode } from './tree-frontier.js';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// RFC 6962 test leaves and roots (the same vectors as rfc6962-vectors.spec.ts).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  hex,
);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

void describe('tlog-tiles paths', () => {
  test('the index is 3-digit groups, all but the last prefixed with x (the spec’s examples)', () => {
    assert.equal(encodeTileIndex(0), '000');
    assert.equal(encodeTileIndex(5), '005');
    assert.equal(encodeTileIndex(1000), 'x001/000');
    assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
    assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
    assert.equal(tilePath({ level: 1, index: 1234067, width: 8 }), 'tile/1/x001/x234/067.p/8');
    assert.equal(tilePath({ level: 'entries', index: 3, width: 255 }), 'tile/entries/003.p/255');
  });

  test('parsing is exact and round-trips', () => {
    for (const tile of [
      { level: 0, index: 0, width: 256 },
      { level: 3, index: 999, width: 1 },
      { level: 'entries' as const, index: 1234067, width: 17 },
      { level: 63, index: 1000000, width: 256 },
    ]) {
      assert.deepEqual(parseTilePath(tilePath(tile)), tile);
    }
    for (const bad of [
      'tile/0/5',
      'tile/0/0005',
      'tile/0/x000/005',
      'tile/0/001/002',
      'tile/00/001',
      'tile/64/001',
      'tile/0/001.p/0',
      'tile/0/001.p/256',
      'tile/0/001.p/08',
      'tile/data/001',
      'tiles/0/001',
      'tile/0',
    ]) {
      assert.throws(() => parseTilePath(bad), { code: 'LOG_TILE_INVALID' }, bad);
    }
  });

  test('widths: full tiles, the partial right edge, nothing beyond; entry bundles for a leaf range', () => {
    assert.equal(tileWidthAt(0, 0, 600), 256);
    assert.equal(tileWidthAt(0, 2, 600), 88);
    assert.equal(tileWidthAt(0, 3, 600), 0);
    assert.equal(tileWidthAt(1, 0, 600), 2);
    assert.equal(tileWidthAt(1, 0, 255), 0);
    assert.equal(tileWidthAt('entries', 2, 600), 88);
    assert.deepEqual(entryBundlesFor(250, 600, 600), [
      { level: 'entries', index: 0, width: 256 },
      { level: 'entries', index: 1, width: 256 },
      { level: 'entries', index: 2, width: 88 },
    ]);
    assert.deepEqual(entryBundlesFor(5, 5, 600), []);
  });
});

void describe('entry bundles and hash tiles', () => {
  test('uint16 big-endian length-prefixed entries, decoded exactly', () => {
    const bundle = encodeEntryBundle([hex(''), hex('0102'), new Uint8Array(300)]);
    assert.equal(toHex(bundle.subarray(0, 6)), '000000020102');
    assert.equal(toHex(bundle.subarray(6, 8)), '012c');
    assert.deepEqual(
      decodeEntryBundle(bundle, 3).map((entry) => entry.length),
      [0, 2, 300],
    );
    assert.throws(() => decodeEntryBundle(bundle, 2), { code: 'LOG_TILE_INVALID' });
    assert.throws(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1), 3), { code: 'LOG_TILE_INVALID' });
    assert.throws(() => encodeEntryBundle([new Uint8Array(0x10000)]), { code: 'LOG_TILE_INVALID' });
    assert.throws(() => decodeHashTile(new Uint8Array(33), 1), { code: 'LOG_TILE_INVALID' });
  });
});

void describe('TreeFrontier', () => {
  test('reproduces the RFC 6962 roots at every size, and resumes from a kept frontier', () => {
    const frontier = new TreeFrontier();
    assert.equal(toHex(frontier.root()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (const [i, leaf] of LEAVES.entries()) {
      frontier.appendLeaf(leaf);
      assert.equal(toHex(frontier.root()), ROOTS[i]);
      const resumed = new TreeFrontier(frontier.size, frontier.hashes);
      assert.equal(toHex(resumed.root()), ROOTS[i]);
    }
    const kept = new TreeFrontier();
    for (const leaf of LEAVES.slice(0, 3)) kept.appendLeaf(leaf);
    const later = new TreeFrontier(kept.size, kept.hashes);
    for (const leaf of LEAVES.slice(3)) later.appendLeaf(leaf);
    assert.equal(toHex(later.root()), ROOTS[7]);
    assert.throws(() => new TreeFrontier(3, [new Uint8Array(32)]), { code: 'LOG_STATE_INCONSISTENT' });
  });

  test('the nodes it completes are the log’s stored tile nodes (600 leaves: levels 0 and 8)', async () => {
    const store = new InMemoryLogStore();
    const log = new TransparencyLog({ store, origin: 'tiles.example/log', signer: new NodeTestSigner() });
    const leaves = Array.from({ length: 600 }, (_, i) => Buffer.from(`leaf-${i}`));
    await log.append(leaves.slice(0, 300));
    await log.append(leaves.slice(300));
    const frontier = new TreeFrontier();
    const completed = new Map<string, Uint8Array>();
    const keep = (node: CompletedNode) => completed.set(`${node.level}/${node.index}`, node.hash);
    for (const leaf of leaves) frontier.appendLeaf(leaf, keep);
    assert.deepEqual(frontier.root(), await log.rootHash(600));
    for (const tile of [
      { level: 0, index: 2, width: tileWidthAt(0, 2, 600) },
      { level: 1, index: 0, width: tileWidthAt(1, 0, 600) },
    ]) {
      const ids = hashTileNodes(tile);
      const stored = await store.readNodes(ids);
      assert.deepEqual(
        stored.map(toHex),
        ids.map((id) => toHex(completed.get(`${id.level}/${id.index}`)!)),
      );
    }
    assert.equal(toHex(completed.get('0/599')!), toHex(hashLeaf(leaves[599]!)));
  });
});
