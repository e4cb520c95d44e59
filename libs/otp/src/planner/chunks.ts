import { BLANK_BYTE } from '../image/otp-image.js';
import { type WriteChunk } from './plan.js';

/** AN3155 §3.6: Write Memory carries at most 256 bytes. */
export const MAX_WRITE_BYTES = 256;

export interface ChunkRules {
  /** Address of area byte 0 (aligned). */
  readonly baseAddress: number;
  /** Write Memory address and length alignment. */
  readonly alignmentBytes: number;
  /** Largest run of unselected bytes a chunk may bridge to save a command. */
  readonly mergeGapBytes: number;
  /** Whether a chunk may cover area bytes [startBytes, endBytes) (false over a locked block). */
  readonly mayCover: (startBytes: number, endBytes: number) => boolean;
}

/**
 * Groups the selected bytes of an area into Write Memory chunks: aligned address and length,
 * at most 256 bytes, never overlapping, in address order. Selected bytes carry `valueAt(offset)`;
 * every other byte of a chunk is 0xFF, which clears no bit.
 */
export function buildChunks(
  selected: Uint8Array,
  valueAt: (offsetBytes: number) => number,
  rules: ChunkRules,
): WriteChunk[] {
  const align = rules.alignmentBytes;
  const down = (offset: number) => Math.floor(offset / align) * align;
  const up = (offset: number) => Math.ceil(offset / align) * align;
  const spans: { start: number; end: number }[] = [];
  let current: { start: number; end: number } | undefined;
  for (let offset = 0; offset < selected.length; offset += 1) {
    if (selected[offset] !== 1) continue;
    if (current !== undefined && canExtend(current, offset, rules, down, up)) {
      current.end = offset + 1;
      continue;
    }
    if (current !== undefined) spans.push(current);
    current = { start: down(offset), end: offset + 1 };
  }
  if (current !== undefined) spans.push(current);
  return spans.map(({ start, end }) => toChunk(start, up(end), selected, valueAt, rules.baseAddress));
}

function canExtend(
  span: { start: number; end: number },
  offset: number,
  rules: ChunkRules,
  down: (offset: number) => number,
  up: (offset: number) => number,
): boolean {
  const newEnd = up(offset + 1);
  if (newEnd - span.start > MAX_WRITE_BYTES) return false;
  if (down(offset) < up(span.end)) return true; // same aligned word: it is written anyway
  return offset - span.end <= rules.mergeGapBytes && rules.mayCover(span.start, newEnd);
}

function toChunk(
  start: number,
  end: number,
  selected: Uint8Array,
  valueAt: (offsetBytes: number) => number,
  baseAddress: number,
): WriteChunk {
  const bytes = new Uint8Array(end - start).fill(BLANK_BYTE);
  for (let offset = start; offset < end; offset += 1) {
    if (selected[offset] === 1) bytes[offset - start] = valueAt(offset);
  }
  return { address: baseAddress + start, bytes };
}
