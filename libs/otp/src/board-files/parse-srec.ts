import { type BoardFileIssue, BoardFileError } from './errors.js';
import { type BoardRecord } from './board-record.js';

/** Address bytes per S-record type (Motorola S-record format: S0 header … S9 termination; S4 is reserved). */
const ADDRESS_BYTES: Readonly<Record<number, number>> = { 0: 2, 1: 2, 2: 3, 3: 4, 5: 2, 6: 3, 7: 4, 8: 3, 9: 2 };
const DATA_TYPES = new Set([1, 2, 3]);
const COUNT_TYPES = new Set([5, 6]);
const TERMINATION_TYPES = new Set([7, 8, 9]);

/** One checked line of an S-record file. */
interface SRecord {
  readonly type: number;
  readonly address: number;
  readonly data: Uint8Array;
}

/**
 * Parses a Motorola S-record file into data records (S1/S2/S3), each with its line. Every line is
 * checked: the `S` and type digit, the byte count, the checksum (ones' complement of the sum of count,
 * address and data bytes), an S5/S6 record count that matches the data records before it, exactly one
 * termination record (S7/S8/S9) and nothing after it. Blank lines are ignored. Written here because no
 * maintained S-record parser with types is on npm (docs/board-files.md).
 *
 * @throws BoardFileError (`BOARD_FILE_INVALID`) listing every bad line.
 */
export function sRecordRecords(text: string, label: string): BoardRecord[] {
  const records: BoardRecord[] = [];
  const issues: BoardFileIssue[] = [];
  let terminatedAt: number | undefined;
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    const textLine = raw.trim();
    if (textLine === '') return;
    const where = `line ${line}`;
    if (terminatedAt !== undefined) {
      issues.push({ where, message: `a record after the termination record of line ${terminatedAt}` });
      return;
    }
    const parsed = parseLine(textLine);
    if (typeof parsed === 'string') {
      issues.push({ where, message: parsed });
      return;
    }
    if (DATA_TYPES.has(parsed.type)) records.push({ address: parsed.address, bytes: parsed.data, line });
    if (COUNT_TYPES.has(parsed.type) && parsed.address !== records.length) {
      issues.push({
        where,
        message: `S${parsed.type} counts ${parsed.address} data records; the file has ${records.length} before it`,
      });
    }
    if (TERMINATION_TYPES.has(parsed.type)) terminatedAt = line;
  });
  if (terminatedAt === undefined && issues.length === 0) {
    issues.push({ where: 'end of file', message: 'no termination record (S7, S8 or S9)' });
  }
  if (issues.length > 0) throw new BoardFileError(label, issues);
  return records;
}

/** One line, or the reason it is not a valid S-record. */
function parseLine(line: string): SRecord | string {
  const match = /^S([0-9])((?:[0-9A-Fa-f]{2})+)$/.exec(line);
  if (match === null) return 'not an S-record (a line must be "S", a type digit and pairs of hex digits)';
  const type = Number(match[1]);
  const addressBytes = ADDRESS_BYTES[type];
  if (addressBytes === undefined) return `S${type} is a reserved record type`;
  const bytes = Uint8Array.from((match[2] ?? '').match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  const count = bytes[0] ?? 0;
  if (count !== bytes.length - 1) return `the byte count says ${count} bytes; the record has ${bytes.length - 1}`;
  if (count < addressBytes + 1) return `an S${type} record needs at least ${addressBytes + 1} bytes after the count`;
  const sum = bytes.subarray(0, bytes.length - 1).reduce((total, b) => total + b, 0);
  if ((~sum & 0xff) >>> 0 !== bytes[bytes.length - 1]) return 'checksum mismatch';
  let address = 0;
  for (let i = 1; i <= addressBytes; i += 1) address = address * 256 + (bytes[i] ?? 0);
  return { type, address, data: bytes.slice(1 + addressBytes, bytes.length - 1) };
}
