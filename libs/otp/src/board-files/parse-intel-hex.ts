import nrfIntelHex from 'nrf-intel-hex';
import { type BoardFileIssue, BoardFileError } from './errors.js';
import { type BoardRecord, hexAddress } from './board-record.js';

// nrf-intel-hex is CommonJS (`module.exports = MemoryMap`) with an ES-style declaration file: under NodeNext
// the typings see the class as `.default` while Node hands the class itself to a default import.
type MemoryMapClass = typeof nrfIntelHex.default;
const MemoryMap: MemoryMapClass =
  (nrfIntelHex as Partial<typeof nrfIntelHex>).default ?? (nrfIntelHex as unknown as MemoryMapClass);

/** A data record's place in the file, found by {@link indexRecords}. */
interface IndexedRecord {
  readonly line: number;
  readonly address: number;
  readonly lengthBytes: number;
}

/**
 * Parses an Intel HEX file into data records, each with its line. The parsing, checksums, record types
 * and overlap checks are nrf-intel-hex's (docs/board-files.md says why that parser); this module only
 * keeps each record's line so every later message can name it, and rewrites the parser's errors so
 * that they name the line and never echo a record (it holds data bytes, maybe secret ones).
 *
 * @throws BoardFileError (`BOARD_FILE_INVALID`) naming the line of the first malformed record.
 */
export function intelHexRecords(text: string, label: string): BoardRecord[] {
  const { records, recordLines, issues } = indexRecords(text);
  if (issues.length > 0) throw new BoardFileError(label, issues);
  let memory: InstanceType<MemoryMapClass>;
  try {
    memory = MemoryMap.fromHex(text.trimEnd());
  } catch (error) {
    throw new BoardFileError(label, [describeParserError(error, text, records, recordLines)]);
  }
  return records.map(({ line, address, lengthBytes }) => ({
    address,
    bytes: memory.slicePad(address, lengthBytes),
    line,
  }));
}

/**
 * Each record's line and, for data records, its 32-bit address (extended segment 02 and extended
 * linear 04 records set the upper bits, as nrf-intel-hex and the Intel HEX specification do).
 */
function indexRecords(text: string): {
  records: IndexedRecord[];
  recordLines: number[];
  issues: BoardFileIssue[];
} {
  const records: IndexedRecord[] = [];
  const recordLines: number[] = [];
  const issues: BoardFileIssue[] = [];
  let upperBits = 0;
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    const record = raw.trim();
    if (!record.startsWith(':')) return;
    recordLines.push(line);
    if (record.indexOf(':', 1) !== -1) {
      issues.push({ where: `line ${line}`, message: 'more than one record on the line' });
      return;
    }
    const byte = (i: number): number => Number.parseInt(record.slice(1 + i * 2, 3 + i * 2), 16);
    const [count, offsetHi, offsetLo, type] = [byte(0), byte(1), byte(2), byte(3)];
    if ([count, offsetHi, offsetLo, type].some(Number.isNaN)) return; // the parser names it below
    if (type === 0x02) upperBits = ((byte(4) << 8) | byte(5)) << 4;
    if (type === 0x04) upperBits = (((byte(4) << 8) | byte(5)) << 16) >>> 0;
    if (type === 0x00) records.push({ line, address: upperBits + ((offsetHi << 8) | offsetLo), lengthBytes: count });
  });
  return { records, recordLines, issues };
}

const PARSER_MESSAGES: readonly [RegExp, (match: RegExpMatchArray) => string][] = [
  [/^Checksum failed/, () => 'checksum mismatch'],
  [/^Mismatched record length/, () => 'the record length does not match its byte count'],
  [/^Invalid record type 0x([0-9a-f]{2})/i, (m) => `unknown record type ${m[1] ?? '?'} (00–05 are defined)`],
  [/^There is data after an EOF record/, () => 'records after the end-of-file record'],
  [/wraps over 0xFFFF/, () => 'the data runs past the end of its 64 KB segment'],
  [/must have 0000 as data offset/, () => 'a record other than data must have offset 0000'],
];

function describeParserError(
  error: unknown,
  text: string,
  records: readonly IndexedRecord[],
  recordLines: readonly number[],
): BoardFileIssue {
  const message = error instanceof Error ? error.message : '';
  const recordNumber = /at record (\d+)|^Record (\d+)/.exec(message);
  const number = Number(recordNumber?.[1] ?? recordNumber?.[2] ?? Number.NaN);
  const where = Number.isInteger(number) ? `line ${recordLines[number - 1] ?? '?'}` : 'file';
  for (const [pattern, describe] of PARSER_MESSAGES) {
    const match = message.match(pattern);
    if (match !== null) return { where, message: describe(match) };
  }
  const gap = /^Malformed hex file: Could not parse between characters (\d+)/.exec(message);
  if (gap !== null) {
    const line = text.slice(0, Number(gap[1]) + 1).split(/\r\n|\r|\n/).length;
    return { where: `line ${line}`, message: 'not an Intel HEX record (a line must be ":" and hex digits)' };
  }
  if (/^Duplicated data/.test(message)) return overlapIssue(records, 0);
  const overlap = /^Overlapping data around address 0x([0-9a-f]+)/i.exec(message);
  if (overlap !== null) return overlapIssue(records, Number.parseInt(overlap[1] ?? '0', 16));
  if (/^No EOF record/.test(message)) return { where: 'end of file', message: 'no end-of-file record (:00000001FF)' };
  return { where, message: 'not a valid Intel HEX file' };
}

/** Names the two records that overlap near `address` (the parser reports only the address). */
function overlapIssue(records: readonly IndexedRecord[], address: number): BoardFileIssue {
  const ends = (r: IndexedRecord) => r.address + r.lengthBytes;
  for (const later of records) {
    const earlier = records.find(
      (r) => r !== later && r.line < later.line && r.address < ends(later) && later.address < ends(r),
    );
    if (earlier !== undefined) {
      const at = Math.max(earlier.address, later.address);
      return {
        where: `line ${later.line}`,
        message: `overlapping records: line ${earlier.line} already has data at ${hexAddress(at)}`,
      };
    }
  }
  return { where: 'file', message: `overlapping records around ${hexAddress(address)}` };
}
