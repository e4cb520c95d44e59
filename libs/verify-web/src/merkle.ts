// RFC 9162 §2.1: leaf and node hashes and inclusion proof verification (§2.1.3.2). Sizes and
// indices are plain numbers (safe to 2^53): halving by division, never bitwise operators.
import { bytesEqual, concatBytes, sha256 } from './bytes.js';

export function leafHash(leafBytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(concatBytes(Uint8Array.of(0x00), leafBytes));
}

function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(concatBytes(Uint8Array.of(0x01), left, right));
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** The root the inclusion proof leads to, or a reason it cannot be a proof for this position. */
export async function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  hash: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<{ root: Uint8Array } | { problem: string }> {
  if (!(leafIndex < treeSize)) return { problem: `leaf index ${leafIndex} is not below tree size ${treeSize}` };
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = hash;
  for (const p of proof) {
    if (p.length !== 32) return { problem: 'a proof hash is not 32 bytes' };
    if (sn === 0) return { problem: 'the proof is longer than the path' };
    if (isOdd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!(isOdd(fn) || fn === 0)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return { problem: 'the proof is shorter than the path' };
  return { root: r };
}

/** True when `proof` proves the leaf hash at `leafIndex` of the tree of `treeSize` with `root`. */
export async function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  hash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  const result = await rootFromInclusionProof(leafIndex, treeSize, hash, proof);
  return 'root' in result && bytesEqual(result.root, root);
}
