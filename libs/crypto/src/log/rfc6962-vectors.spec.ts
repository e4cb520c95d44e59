import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyTreeHash } from './hashing.js';
import { InMemoryLogStore } from './memory-log-store.js';
import { NodeTestSigner } from './testing/node-signer.js';
import { TransparencyLog } from './transparency-log.js';
import { verifyConsistency } from './verify-consistency.js';
import { rootFromInclusionProof, verifyInclusion } from './verify-inclusion.js';

// Published test vectors of RFC 6962 / RFC 9162 Merkle trees, as used by the Go reference
// implementation github.com/transparency-dev/merkle (proof/verify_test.go: `leaves`, `roots`,
// `inclusionProofs`, `consistencyProofs`; the same data is in certificate-transparency-go). Facts
// (hex digests) only. The Go table numbers leaves from 1; indices below are 0-based.
const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

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

const EMPTY_TREE_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const INCLUSION = [
  {
    leafIndex: 0,
    treeSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leafIndex: 2, treeSize: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leafIndex: 1,
    treeSize: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY = [
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    oldSize: 6,
    newSize: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const root = (size: number): Uint8Array => hex(ROOTS[size - 1] ?? '');

async function vectorLog(): Promise<TransparencyLog> {
  const log = new TransparencyLog({
    store: new InMemoryLogStore(),
    origin: 'ingrain.example/log/vectors',
    signer: new NodeTestSigner(),
  });
  // Three batches, so nodes are completed across batch boundaries.
  await log.append(LEAVES.slice(0, 3));
  await log.append(LEAVES.slice(3, 4));
  await log.append(LEAVES.slice(4));
  return log;
}

void describe('RFC 6962 test vectors (transparency-dev/merkle)', () => {
  void test('the empty tree hash is SHA-256 of nothing', () => {
    assert.equal(toHex(emptyTreeHash()), EMPTY_TREE_ROOT);
  });

  void test('the log computes every published root from stored nodes', async () => {
    const log = await vectorLog();
    assert.equal(toHex(await log.rootHash(0)), EMPTY_TREE_ROOT);
    for (let size = 1; size <= 8; size++)
      assert.equal(toHex(await log.rootHash(size)), ROOTS[size - 1], `size ${size}`);
  });

  void test('the log generates exactly the published inclusion proofs, and they verify', async () => {
    const log = await vectorLog();
    for (const v of INCLUSION) {
      const proof = await log.inclusionProof(v.leafIndex, v.treeSize);
      assert.deepEqual(proof.map(toHex), v.proof);
      const leaf = { leafBytes: LEAVES[v.leafIndex] ?? new Uint8Array() };
      verifyInclusion(leaf, v.leafIndex, v.treeSize, v.proof.map(hex), root(v.treeSize));
      assert.equal(
        toHex(rootFromInclusionProof(leaf, v.leafIndex, v.treeSize, v.proof.map(hex))),
        ROOTS[v.treeSize - 1],
      );
    }
  });

  void test('the log generates exactly the published consistency proofs, and they verify', async () => {
    const log = await vectorLog();
    for (const v of CONSISTENCY) {
      const proof = await log.consistencyProof(v.oldSize, v.newSize);
      assert.deepEqual(proof.map(toHex), v.proof);
      verifyConsistency(v.oldSize, v.newSize, v.proof.map(hex), root(v.oldSize), root(v.newSize));
    }
  });

  void test('a one-leaf tree: the root is the leaf hash and the proof is empty', async () => {
    const log = await vectorLog();
    assert.deepEqual(await log.inclusionProof(0, 1), []);
    verifyInclusion({ leafBytes: new Uint8Array() }, 0, 1, [], root(1));
  });

  void test("the Go suite's corrupted inclusion probes are all rejected", () => {
    const someHash = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
    for (const v of INCLUSION) {
      const proof = v.proof.map(hex);
      const leaf = { leafBytes: LEAVES[v.leafIndex] ?? new Uint8Array() };
      const r = root(v.treeSize);
      const probes: [string, () => void][] = [
        ['index - 1', () => verifyInclusion(leaf, v.leafIndex - 1, v.treeSize, proof, r)],
        ['index + 1', () => verifyInclusion(leaf, v.leafIndex + 1, v.treeSize, proof, r)],
        ['size * 2', () => verifyInclusion(leaf, v.leafIndex, v.treeSize * 2, proof, r)],
        ['size / 2', () => verifyInclusion(leaf, v.leafIndex, Math.floor(v.treeSize / 2), proof, r)],
        ['wrong leaf', () => verifyInclusion({ leafBytes: hex('ff') }, v.leafIndex, v.treeSize, proof, r)],
        ['empty root', () => verifyInclusion(leaf, v.leafIndex, v.treeSize, proof, hex(EMPTY_TREE_ROOT))],
        ['random root', () => verifyInclusion(leaf, v.leafIndex, v.treeSize, proof, someHash)],
        ['trailing root', () => verifyInclusion(leaf, v.leafIndex, v.treeSize, [...proof, r], r)],
        ['preceding root', () => verifyInclusion(leaf, v.leafIndex, v.treeSize, [r, ...proof], r)],
        ['trailing garbage', () => verifyInclusion(leaf, v.leafIndex, v.treeSize, [...proof, new Uint8Array()], r)],
        ['removed element', () => verifyInclusion(leaf, v.leafIndex, v.treeSize, proof.slice(0, -1), r)],
      ];
      for (const [name, probe] of probes) {
        assert.throws(probe, { code: 'LOG_INCLUSION_PROOF_INVALID' }, `${name} at ${v.leafIndex}/${v.treeSize}`);
      }
    }
  });

  void test("the Go suite's trivial consistency cases", () => {
    const a = hex(ROOTS[0] ?? '');
    const b = hex(ROOTS[1] ?? '');
    verifyConsistency(0, 0, [], a, a);
    verifyConsistency(0, 1, [], a, b);
    verifyConsistency(1, 1, [], b, b);
    assert.throws(() => verifyConsistency(1, 1, [], a, b), { code: 'LOG_CONSISTENCY_PROOF_INVALID' });
    assert.throws(() => verifyConsistency(1, 0, [], a, b), { code: 'LOG_CONSISTENCY_PROOF_INVALID' });
    assert.throws(() => verifyConsistency(2, 1, [], a, b), { code: 'LOG_CONSISTENCY_PROOF_INVALID' });
    assert.throws(() => verifyConsistency(1, 2, [], a, b), { code: 'LOG_CONSISTENCY_PROOF_INVALID' });
    assert.throws(() => verifyConsistency(1, 1, [a], a, a), { code: 'LOG_CONSISTENCY_PROOF_INVALID' });
    assert.throws(() => verifyConsistency(0, 1, [a], a, a), { code: 'LOG_CONSISTENCY_PROOF_INVALID' });
  });
});
