import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hashLeaf } from './hashing.js';
import { InclusionProofCache } from './inclusion-cache.js';
import { InMemoryLogStore } from './memory-log-store.js';
import { NodeTestSigner } from './testing/node-signer.js';
import { referenceConsistencyProof, referenceInclusionPath, referenceRoot } from './testing/reference-merkle.js';
import { TransparencyLog } from './transparency-log.js';
import { verifyConsistency } from './verify-consistency.js';
import { verifyInclusion } from './verify-inclusion.js';

// Property tests: the stored-node log against the literal RFC 9162 recursion (reference-merkle.ts).
const MAX_LEAVES = 160;
const hex = (hashes: readonly Uint8Array[]): string[] => hashes.map((h) => Buffer.from(h).toString('hex'));
const signer = new NodeTestSigner();

/** Distinct leaves (index-prefixed) so no two positions share a hash. */
function leavesOf(count: number, salt: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new TextEncoder().encode(`leaf ${salt}/${i}`));
}

/** Builds a log from `leaves` appended in the given batch sizes (the rest in one last batch). */
async function buildLog(leaves: readonly Uint8Array[], batchSizes: readonly number[]): Promise<TransparencyLog> {
  const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: 'ingrain.example/log/prop', signer });
  let offset = 0;
  for (const size of batchSizes) {
    if (offset >= leaves.length) break;
    await log.append(leaves.slice(offset, offset + size));
    offset += size;
  }
  if (offset < leaves.length) await log.append(leaves.slice(offset));
  return log;
}

const treeArb = fc.record({
  size: fc.integer({ min: 1, max: MAX_LEAVES }),
  salt: fc.nat(),
  batches: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }),
});

const flipBit = (bytes: Uint8Array, bit: number): Uint8Array => {
  const copy = bytes.slice();
  copy[Math.floor(bit / 8) % copy.length] = (copy[Math.floor(bit / 8) % copy.length] ?? 0) ^ (1 << (bit % 8));
  return copy;
};

const rejects = (fn: () => void, code: string): boolean => {
  try {
    fn();
    return false;
  } catch (error) {
    return (error as { code?: string }).code === code;
  }
};

void describe('transparency log proofs (property tests against the RFC recursion)', () => {
  void test('roots at every size equal MTH of the reference', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, async ({ size, salt, batches }) => {
        const leaves = leavesOf(size, salt);
        const log = await buildLog(leaves, batches);
        for (let n = 0; n <= size; n++) {
          assert.deepEqual(hex([await log.rootHash(n)]), hex([referenceRoot(leaves.slice(0, n))]));
        }
      }),
      { numRuns: 40 },
    );
  });

  void test('every inclusion proof equals PATH(m, D[n]) and verifies', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, fc.nat(), async ({ size, salt, batches }, pick) => {
        const leaves = leavesOf(size, salt);
        const log = await buildLog(leaves, batches);
        const n = 1 + (pick % size); // any earlier tree size, not only the latest
        const root = referenceRoot(leaves.slice(0, n));
        for (let m = 0; m < n; m++) {
          const proof = await log.inclusionProof(m, n);
          assert.deepEqual(hex(proof), hex(referenceInclusionPath(m, leaves.slice(0, n))));
          verifyInclusion({ leafBytes: leaves[m] ?? new Uint8Array() }, m, n, proof, root);
          verifyInclusion({ leafHash: hashLeaf(leaves[m] ?? new Uint8Array()) }, m, n, proof, root);
        }
      }),
      { numRuns: 40 },
    );
  });

  void test('every consistency proof equals PROOF(m, D[n]) and verifies', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, fc.nat(), async ({ size, salt, batches }, pick) => {
        const leaves = leavesOf(size, salt);
        const log = await buildLog(leaves, batches);
        const n = 1 + (pick % size);
        const rootN = referenceRoot(leaves.slice(0, n));
        for (let m = 1; m <= n; m++) {
          const proof = await log.consistencyProof(m, n);
          assert.deepEqual(hex(proof), hex(referenceConsistencyProof(m, leaves.slice(0, n))));
          verifyConsistency(m, n, proof, referenceRoot(leaves.slice(0, m)), rootN);
        }
      }),
      { numRuns: 40 },
    );
  });

  void test('any tampered inclusion proof element, leaf, index or size is rejected', () => {
    const leaves = leavesOf(MAX_LEAVES, 7);
    const roots = Array.from({ length: MAX_LEAVES + 1 }, (_, n) => referenceRoot(leaves.slice(0, n)));
    const caseArb = fc
      .integer({ min: 2, max: MAX_LEAVES })
      .chain((n) => fc.record({ n: fc.constant(n), m: fc.integer({ min: 0, max: n - 1 }) }));
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), fc.integer({ min: 1, max: MAX_LEAVES }), ({ n, m }, at, bit, other) => {
        const proof = referenceInclusionPath(m, leaves.slice(0, n));
        const leaf = { leafBytes: leaves[m] ?? new Uint8Array() };
        const root = roots[n] ?? new Uint8Array();
        const code = 'LOG_INCLUSION_PROOF_INVALID';
        const i = at % proof.length;
        const flipped = proof.map((p, j) => (j === i ? flipBit(p, bit % 256) : p));
        assert.ok(
          rejects(() => verifyInclusion(leaf, m, n, flipped, root), code),
          'flipped bit',
        );
        assert.ok(
          rejects(() => verifyInclusion(leaf, m, n, proof.toSpliced(i, 1), root), code),
          'removed',
        );
        assert.ok(
          rejects(() => verifyInclusion(leaf, m, n, proof.toSpliced(i, 0, root), root), code),
          'inserted',
        );
        assert.ok(rejects(() => verifyInclusion({ leafBytes: flipBit(leaf.leafBytes, bit) }, m, n, proof, root), code));
        const otherIndex = other % n;
        if (otherIndex !== m)
          assert.ok(
            rejects(() => verifyInclusion(leaf, otherIndex, n, proof, root), code),
            'index',
          );
        // A different size, checked against the true root of that size (what a checkpoint would say).
        if (other !== n && other > m) {
          const otherRoot = roots[other] ?? new Uint8Array();
          assert.ok(
            rejects(() => verifyInclusion(leaf, m, other, proof, otherRoot), code),
            `size ${other}`,
          );
        }
        assert.ok(
          rejects(() => verifyInclusion(leaf, m, n, proof, flipBit(root, bit % 256)), code),
          'root',
        );
      }),
      { numRuns: 2000 },
    );
  });

  void test('any tampered consistency proof element, size or root is rejected', () => {
    const leaves = leavesOf(MAX_LEAVES, 11);
    const roots = Array.from({ length: MAX_LEAVES + 1 }, (_, n) => referenceRoot(leaves.slice(0, n)));
    const caseArb = fc
      .integer({ min: 2, max: MAX_LEAVES })
      .chain((n) => fc.record({ n: fc.constant(n), m: fc.integer({ min: 1, max: n - 1 }) }));
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), fc.integer({ min: 1, max: MAX_LEAVES }), ({ n, m }, at, bit, other) => {
        const proof = referenceConsistencyProof(m, leaves.slice(0, n));
        const rootM = roots[m] ?? new Uint8Array();
        const rootN = roots[n] ?? new Uint8Array();
        const code = 'LOG_CONSISTENCY_PROOF_INVALID';
        const i = at % proof.length;
        const flipped = proof.map((p, j) => (j === i ? flipBit(p, bit % 256) : p));
        assert.ok(
          rejects(() => verifyConsistency(m, n, flipped, rootM, rootN), code),
          'flipped bit',
        );
        assert.ok(
          rejects(() => verifyConsistency(m, n, proof.toSpliced(i, 1), rootM, rootN), code),
          'removed',
        );
        assert.ok(
          rejects(() => verifyConsistency(m, n, [...proof, rootN], rootM, rootN), code),
          'appended',
        );
        assert.ok(
          rejects(() => verifyConsistency(m, n, [rootM, ...proof], rootM, rootN), code),
          'prepended',
        );
        assert.ok(
          rejects(() => verifyConsistency(m, n, proof, flipBit(rootM, bit % 256), rootN), code),
          'root1',
        );
        assert.ok(
          rejects(() => verifyConsistency(m, n, proof, rootM, flipBit(rootN, bit % 256)), code),
          'root2',
        );
        if (other !== m && other < n) {
          assert.ok(
            rejects(() => verifyConsistency(other, n, proof, roots[other] ?? rootM, rootN), code),
            'size1',
          );
        }
        if (other !== n && other > m) {
          assert.ok(
            rejects(() => verifyConsistency(m, other, proof, rootM, roots[other] ?? rootN), code),
            'size2',
          );
        }
      }),
      { numRuns: 2000 },
    );
  });

  void test('the caching verifier accepts exactly what verifyInclusion accepts, warm or cold', () => {
    const leaves = leavesOf(MAX_LEAVES, 13);
    const roots = Array.from({ length: MAX_LEAVES + 1 }, (_, n) => referenceRoot(leaves.slice(0, n)));
    const probeArb = fc.record({
      n: fc.constantFrom(1, 2, 37, 64, MAX_LEAVES), // few trees, so later probes hit proven nodes
      m: fc.nat(),
      tamper: fc.constantFrom('none', 'bit', 'index', 'leaf', 'drop', 'swap'),
      at: fc.nat(),
      bit: fc.nat({ max: 255 }),
    });
    const code = 'LOG_INCLUSION_PROOF_INVALID';
    fc.assert(
      fc.property(fc.array(probeArb, { minLength: 1, maxLength: 60 }), (probes) => {
        const cache = new InclusionProofCache(400); // small: exercises forgetting too
        for (const { n, m: pick, tamper, at, bit } of probes) {
          const m = pick % n;
          let proof = referenceInclusionPath(m, leaves.slice(0, n));
          let index = m;
          let leaf = leaves[m] ?? new Uint8Array();
          const i = proof.length === 0 ? 0 : at % proof.length;
          if (tamper === 'bit' && proof.length > 0) proof = proof.map((p, j) => (j === i ? flipBit(p, bit) : p));
          if (tamper === 'index' && n > 1) index = (m + 1 + (at % (n - 1))) % n;
          if (tamper === 'leaf') leaf = flipBit(leaf, bit);
          if (tamper === 'drop' && proof.length > 0) proof = proof.toSpliced(i, 1);
          if (tamper === 'swap' && proof.length > 1) proof = proof.toReversed();
          const root = roots[n] ?? new Uint8Array();
          const expectOk = !rejects(() => verifyInclusion({ leafBytes: leaf }, index, n, proof, root), code);
          const cachedOk = !rejects(() => cache.verify({ leafBytes: leaf }, index, n, proof, root), code);
          assert.equal(cachedOk, expectOk, `${tamper} m=${m} n=${n}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
