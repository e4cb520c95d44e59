/** Board-file formats Ingrain reads (docs/board-files.md). */
export const BOARD_FILE_FORMATS = ['bin', 'ihex', 'srec'] as const;
export type BoardFileFormat = (typeof BOARD_FILE_FORMATS)[number];

/**
 * Bytes a board file puts at `address`, with where they come from: a text record's `line` (1-based),
 * or, for a raw binary, the file offset of the first byte.
 */
export interface BoardRecord {
  readonly address: number;
  readonly bytes: Uint8Array;
  readonly line?: number;
  readonly fileOffsetBytes?: number;
}

/** `line 4`, or `file offset 1030` for byte `index` of a binary record. */
export function positionOf(record: BoardRecord, index = 0): string {
  if (record.line !== undefined) return `line ${record.line}`;
  return `file offset ${(record.fileOffsetBytes ?? 0) + index}`;
}

/** `0x1FFF7A00`: addresses are printed the way the reference manuals write them. */
export function hexAddress(address: number): string {
  return `0x${address.toString(16).toUpperCase().padStart(8, '0')}`;
}
