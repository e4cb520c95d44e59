import { type LeafRange, largestPowerOfTwoBelow } from './tree-math.js';

/**
 * The leaf ranges whose hashes form PATH(m, D[n]) (RFC 9162 §2.1.3.1), in proof order (bottom-up).
 * Pure arithmetic: no hash is computed here, so a store can fetch every node in one round trip.
 * Preconditions (checked by the caller): 0 ≤ m < n.
 */
export function inclusionProofRanges(leafIndex: number, treeSize: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let begin = 0;
  let end = treeSize;
  let m = leafIndex;
  // Walk down from the root; each step records the sibling subtree, then ranges are reversed so the
  // proof lists siblings from the leaf upwards as the RFC's recursion does.
  while (end - begin > 1) {
    const k = largestPowerOfTwoBelow(end - begin);
    if (m < k) {
      ranges.push({ begin: begin + k, end });
      end = begin + k;
    } else {
      ranges.push({ begin, end: begin + k });
      begin += k;
      m -= k;
    }
  }
  return ranges.reverse();
}

/**
 * The leaf ranges whose hashes form PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1),
 * in proof order. Preconditions (checked by the caller): 0 < m < n.
 */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let begin = 0;
  let end = newSize;
  let m = oldSize;
  let startedFromOldRoot = true;
  // SUBPROOF(m, D[begin:end], b): iterate the recursion, collecting the right-hand terms.
  while (m !== end - begin) {
    const k = largestPowerOfTwoBelow(end - begin);
    if (m <= k) {
      ranges.push({ begin: begin + k, end });
      end = begin + k;
    } else {
      ranges.push({ begin, end: begin + k });
      begin += k;
      m -= k;
      startedFromOldRoot = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b still true the old root is implied, not sent.
  if (!startedFromOldRoot) ranges.push({ begin, end });
  return ranges.reverse();
}
