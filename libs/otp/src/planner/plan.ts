/** One Write Memory command: an aligned address and aligned length ≤ 256 bytes, padded with 0xFF. */
export interface WriteChunk {
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** Why a device cannot be brought to the target image. Offsets are relative to OTP byte 0. */
export type PlanConflict =
  | {
      /** A byte (or L4 double-word) already holds a value other than blank and other than the target. */
      readonly reason: 'byte-conflict';
      readonly block: number;
      readonly offsetBytes: number;
      readonly expected: number;
      readonly actual: number;
    }
  | {
      /** A locked block still needs data: it can never be completed. */
      readonly reason: 'locked-block-incomplete';
      readonly block: number;
      readonly missingBytes: number;
    }
  | {
      /** A lock byte holds neither 0x00 nor 0xFF (docs/hardware.md §lock-rules: OTP may then be misread). */
      readonly reason: 'invalid-lock-byte';
      readonly block: number;
      readonly actual: number;
    }
  | {
      /** A block is locked although the target leaves it open. */
      readonly reason: 'unexpected-lock';
      readonly block: number;
    };

export type Plan =
  | { readonly kind: 'already-provisioned' }
  | {
      readonly kind: 'write';
      /** Data writes, in address order. Every non-0xFF byte in them programs a blank byte. */
      readonly dataChunks: readonly WriteChunk[];
      /** Number of bytes the data chunks program (non-0xFF bytes). */
      readonly bytesToProgram: number;
      /** Blocks whose lock byte goes from 0xFF to 0x00. Written only after data is verified. */
      readonly blocksToLock: readonly number[];
      /** Lock writes: 0x00 for blocksToLock, 0xFF for every other lock byte. */
      readonly lockChunks: readonly WriteChunk[];
    }
  | { readonly kind: 'conflict'; readonly conflicts: readonly PlanConflict[] };
