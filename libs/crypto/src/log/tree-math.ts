/**
 * Integer arithmetic on tree sizes and indices. Sizes may exceed 2^31, so nothing here uses JS
 * bitwise operators (which truncate to 32 bits); every value stays a safe integer (< 2^53).
 */

/** The hash of the complete subtree covering leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A half-open leaf range [begin, end) whose Merkle tree hash a proof needs. */
export interface LeafRange {
  readonly begin: number;
  readonly end: number;
}

/** Largest power of two strictly smaller than n (n ≥ 2): the RFC 9162 §2.1.1 split point k. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Largest power of two ≤ n (n ≥ 1). */
export function largestPowerOfTwoAtMost(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

/** True when n is 2^j for some j ≥ 0. */
export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && largestPowerOfTwoAtMost(n) === n;
}

/** log2 of a power of two. */
export function log2Exact(powerOfTwo: number): number {
  let level = 0;
  for (let p = 1; p < powerOfTwo; p *= 2) level++;
  return level;
}

/** True when n is a non-negative safe integer (a valid tree size or leaf index). */
export function isTreeCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * The complete subtrees whose hashes, folded right to left, give MTH(D[begin:end]), largest first.
 * Valid for every range an RFC 9162 proof or root needs: such a range starts at a multiple of the
 * largest power of two not above its size, so each piece is an aligned, stored subtree.
 * Throws RangeError for an unaligned range (a programming error, never input-dependent).
 */
export function completeSubtreesOf(range: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let begin = range.begin;
  while (begin < range.end) {
    const size = largestPowerOfTwoAtMost(range.end - begin);
    if (begin % size !== 0) throw new RangeError(`leaf range [${range.begin}, ${range.end}) is not aligned`);
    nodes.push({ level: log2Exact(size), index: begin / size });
    begin += size;
  }
  return nodes;
}
