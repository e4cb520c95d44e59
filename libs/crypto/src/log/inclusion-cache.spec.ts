import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { TransparencyLogError } from './errors.js';
import { InclusionProofCache } from './inclusion-cache.js';
import { inclusionProofRanges } from './proof-plan.js';
import { rootFromInclusionProof, verifyInclusion } from './verify-inclusion.js';

const isInvalid = (error: unknown): boolean =>
  error instanceof TransparencyLogError && error.code === 'LOG_INCLUSION_PROOF_INVALID';

/**
 * A proof of the right shape for (index, size) with random sibling hashes, and the root it leads
 * to: enough to exercise the cache on trees far too large to build.
 */
function syntheticProof(leafIndex: number, treeSize: number, leaf: Uint8Array) {
  const proof = inclusionProofRanges(leafIndex, treeSize).map(() => new Uint8Array(randomBytes(32)));
  return { proof, root: rootFromInclusionProof({ leafBytes: leaf }, leafIndex, treeSize, proof) };
}

void describe('InclusionProofCache on large trees', () => {
  // Sizes around the 2^30 fast path, the 2^46 cache limit and beyond it (verified uncached).
  for (const treeSize of [2 ** 30 + 7, 2 ** 31 + 5, 2 ** 40 + 3, 2 ** 46, 2 ** 46 + 1, 2 ** 52 + 9]) {
    void test(`tree size ${treeSize}: accepts what verifyInclusion accepts, warm and cold`, () => {
      const cache = new InclusionProofCache();
      const leaf = Uint8Array.of(1, 2, 3);
      for (const leafIndex of [0, 1, treeSize - 2, treeSize - 1, Math.floor(treeSize / 3)]) {
        const { proof, root } = syntheticProof(leafIndex, treeSize, leaf);
        verifyInclusion({ leafBytes: leaf }, leafIndex, treeSize, proof, root);
        cache.verify({ leafBytes: leaf }, leafIndex, treeSize, proof, root);
        cache.verify({ leafBytes: leaf }, leafIndex, treeSize, proof, root); // warm: proven nodes
        const tampered = proof.map((p, i) => (i === proof.length - 1 ? Uint8Array.from(p, (b) => b ^ 1) : p));
        assert.throws(() => cache.verify({ leafBytes: leaf }, leafIndex, treeSize, tampered, root), isInvalid);
        assert.throws(() => cache.verify({ leafBytes: Uint8Array.of(9) }, leafIndex, treeSize, proof, root), isInvalid);
      }
    });
  }

  void test('a proof of the right leaf but another tree is refused even when nodes are proven', () => {
    const cache = new InclusionProofCache();
    const leaf = Uint8Array.of(7);
    const treeSize = 2 ** 33 + 11;
    const first = syntheticProof(treeSize - 1, treeSize, leaf);
    cache.verify({ leafBytes: leaf }, treeSize - 1, treeSize, first.proof, first.root);
    const second = syntheticProof(treeSize - 1, treeSize, leaf); // other siblings: another root
    assert.throws(() => cache.verify({ leafBytes: leaf }, treeSize - 1, treeSize, second.proof, first.root), isInvalid);
    cache.verify({ leafBytes: leaf }, treeSize - 1, treeSize, second.proof, second.root);
  });
});
