import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planProvisioning } from '../planner/index.js';
import { blankState } from '../image/image-helpers.js';
import { type DeviceProfile } from '../profiles/device-profile.js';
import { STM32F4, STM32F7, STM32F72X, STM32G0 } from '../profiles/index.js';
import { BoardFileError, type BoardFileIssue } from './errors.js';
import { boardFileFormatOf, readBoardFile } from './read-board-file.js';

const enc = (text: string) => new TextEncoder().encode(text);

/** One Intel HEX record with its checksum (two's complement of the byte sum). */
function ihex(type: number, offset: number, data: readonly number[]): string {
  const bytes = [data.length, offset >> 8, offset & 0xff, type, ...data];
  const checksum = (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
  return ':' + [...bytes, checksum].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}
const upper = (address: number) => ihex(0x04, 0, [address >>> 24, (address >>> 16) & 0xff]);
const EOF_RECORD = ihex(0x01, 0, []);

/** One S-record of `type` with a `addressBytes`-byte address and its checksum (ones' complement of the sum). */
function srec(type: number, address: number, data: readonly number[]): string {
  const addressBytes = { 0: 2, 1: 2, 2: 3, 3: 4, 5: 2, 6: 3, 7: 4, 8: 3, 9: 2 }[type] ?? 2;
  const addr = Array.from({ length: addressBytes }, (_, i) => (address >>> (8 * (addressBytes - 1 - i))) & 0xff);
  const bytes = [addressBytes + data.length + 1, ...addr, ...data];
  const checksum = ~bytes.reduce((a, b) => a + b, 0) & 0xff;
  return `S${type}` + [...bytes, checksum].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

function issuesOf(call: () => unknown): readonly BoardFileIssue[] {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof BoardFileError, String(error));
    assert.equal(error.code, 'BOARD_FILE_INVALID');
    return error.issues;
  }
  assert.fail('expected a BoardFileError');
}

const read = (profile: DeviceProfile, text: string, format: 'ihex' | 'srec') =>
  readBoardFile(profile, enc(text), { format, label: 'board' });

describe('raw binary board files', () => {
  test('a 64-byte file at an offset fills that part of the OTP; everything else stays blank', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i);
    const board = readBoardFile(STM32F7, bytes, { format: 'bin', offsetBytes: 128, label: 'b.bin' });
    assert.deepEqual(board.image.data.subarray(128, 192), bytes);
    assert.ok(board.image.data.subarray(0, 128).every((b) => b === 0xff));
    assert.ok(board.image.data.subarray(192).every((b) => b === 0xff));
    assert.deepEqual(board.image.lockedBlocks, []);
    assert.equal(board.dataBytesGiven, 64);
  });

  test('a full image with its lock bytes (F7: 1024 + 16) locks the blocks whose lock byte is 0x00', () => {
    const bytes = new Uint8Array(1040).fill(0xff);
    bytes.fill(0x11, 0, 64);
    bytes.fill(0x22, 64 * 3, 64 * 4);
    bytes[1024] = 0x00;
    bytes[1024 + 3] = 0x00;
    const board = readBoardFile(STM32F7, bytes, { format: 'bin', label: 'f7.bin' });
    assert.deepEqual(board.image.lockedBlocks, [0, 3]);
    assert.equal(board.lockBytesGiven, 16);
  });

  test('F72x: 528 bytes = 512 data + 16 lock bytes at 0x1FF07A00', () => {
    const bytes = new Uint8Array(528).fill(0xff);
    bytes.fill(0x7a, 32, 64);
    bytes[512 + 1] = 0x00;
    const board = readBoardFile(STM32F72X, bytes, { format: 'bin', label: 'f72.bin' });
    assert.deepEqual(board.image.lockedBlocks, [1]);
    assert.equal(board.image.family, 'stm32f72x');
  });

  test('bytes past the OTP and lock area are refused by address and file offset', () => {
    const issues = issuesOf(() =>
      readBoardFile(STM32F4, new Uint8Array(540).fill(0xff), { format: 'bin', label: 'f4.bin' }),
    );
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.where, 'file offset 528');
    assert.match(issues[0]?.message ?? '', /bytes 0x1FFF7A10–0x1FFF7A1B are outside the OTP area of stm32f4/);
  });

  test('on a family without lock bytes, a 1040-byte image is refused past 0x1FFF73FF', () => {
    const issues = issuesOf(() =>
      readBoardFile(STM32G0, new Uint8Array(1040).fill(0xff), { format: 'bin', label: 'g0.bin' }),
    );
    assert.match(issues[0]?.message ?? '', /0x1FFF7400–0x1FFF740F .*stm32g0 has no lock bytes/);
  });

  test('a lock byte other than 0x00/0xFF is refused, naming its block and value', () => {
    const bytes = new Uint8Array(528).fill(0xff);
    bytes[512 + 2] = 0x5a;
    const issues = issuesOf(() => readBoardFile(STM32F4, bytes, { format: 'bin', label: 'x' }));
    assert.equal(issues[0]?.where, 'file offset 514');
    assert.match(issues[0]?.message ?? '', /lock byte of block 2 at 0x1FFF7A02 holds 0x5a/);
  });
});

describe('Intel HEX board files (nrf-intel-hex)', () => {
  test('records at the OTP (extended linear address) give the image; 0x00 lock bytes lock', () => {
    const text = [
      upper(0x1ff0_0000),
      ihex(0x00, 0xf000, [0x70, 0xb3, 0xd5, 0x84, 0xd0, 0x10, 0x00, 0x00]),
      ihex(0x00, 0xf400, [0x00]),
      EOF_RECORD,
      '',
    ].join('\n');
    const board = read(STM32F7, text, 'ihex');
    assert.deepEqual([...board.image.data.subarray(0, 8)], [0x70, 0xb3, 0xd5, 0x84, 0xd0, 0x10, 0x00, 0x00]);
    assert.deepEqual(board.image.lockedBlocks, [0]);
    assert.equal(board.lockBytesGiven, 1);
  });

  test('a record outside the OTP is refused by address and line, its data never echoed', () => {
    const text = [upper(0x0800_0000), ihex(0x00, 0x0000, [0xde, 0xad, 0xbe, 0xef]), EOF_RECORD].join('\r\n');
    const issues = issuesOf(() => read(STM32F4, text, 'ihex'));
    assert.deepEqual(issues[0]?.where, 'line 2');
    assert.match(issues[0]?.message ?? '', /bytes 0x08000000–0x08000003 are outside the OTP area/);
    assert.doesNotMatch(JSON.stringify(issues), /dead|beef|DEAD|BEEF/);
  });

  test('a bad checksum names its line and never the record', () => {
    const good = ihex(0x00, 0x7800, [1, 2, 3, 4]);
    const bad = good.slice(0, -2) + (good.endsWith('00') ? '01' : '00');
    const text = [upper(0x1fff_0000), bad, EOF_RECORD].join('\n');
    const issues = issuesOf(() => read(STM32F4, text, 'ihex'));
    assert.deepEqual(issues, [{ where: 'line 2', message: 'checksum mismatch' }]);
  });

  test('overlapping records name both lines', () => {
    const text = [upper(0x1fff_0000), ihex(0x00, 0x7800, [1, 2, 3, 4]), ihex(0x00, 0x7802, [5, 6]), EOF_RECORD].join(
      '\n',
    );
    const issues = issuesOf(() => read(STM32F4, text, 'ihex'));
    assert.equal(issues[0]?.where, 'line 3');
    assert.match(issues[0]?.message ?? '', /line 2 already has data at 0x1FFF7802/);
  });

  test('a missing end-of-file record and a garbage line are refused', () => {
    assert.equal(issuesOf(() => read(STM32F4, ihex(0x00, 0, [1]), 'ihex'))[0]?.where, 'end of file');
    const garbage = [upper(0x1fff_0000), 'hello', EOF_RECORD].join('\n');
    assert.equal(issuesOf(() => read(STM32F4, garbage, 'ihex'))[0]?.where, 'line 2');
  });
});

describe('Motorola S-record board files', () => {
  test('S3 records at the OTP give the image; S0 header, S5 count and S7 termination are checked', () => {
    const text = [
      srec(0, 0, [0x68, 0x64, 0x72]),
      srec(3, 0x1fff_7000, [1, 2, 3, 4, 5, 6, 7, 8]),
      srec(3, 0x1fff_7008, [9, 10, 11, 12, 13, 14, 15, 16]),
      srec(5, 2, []),
      srec(7, 0, []),
    ].join('\n');
    const board = read(STM32G0, text, 'srec');
    assert.deepEqual(
      [...board.image.data.subarray(0, 16)],
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    assert.equal(board.dataBytesGiven, 16);
  });

  test('S1/S2 addresses work too (a 24-bit address cannot reach the OTP, and is refused by address)', () => {
    const issues = issuesOf(() => read(STM32F4, [srec(2, 0x00_7800, [1]), srec(8, 0, [])].join('\n'), 'srec'));
    assert.equal(issues[0]?.where, 'line 1');
    assert.match(issues[0]?.message ?? '', /the byte at 0x00007800 is outside/);
  });

  test('every bad line is listed: checksum, byte count, reserved type, count record, after termination', () => {
    const good = srec(3, 0x1fff_7800, [1, 2, 3, 4]);
    const badChecksum = good.slice(0, -2) + (good.endsWith('00') ? '01' : '00');
    const badCount = 'S3' + '0A' + good.slice(4); // says 10 bytes, has 9
    const text = [badChecksum, badCount, 'S4030000FC', srec(5, 7, []), srec(7, 0, []), good].join('\n');
    const issues = issuesOf(() => read(STM32F4, text, 'srec'));
    assert.deepEqual(
      issues.map((i) => i.where),
      ['line 1', 'line 2', 'line 3', 'line 4', 'line 6'],
    );
    assert.match(issues[0]?.message ?? '', /checksum mismatch/);
    assert.match(issues[2]?.message ?? '', /reserved/);
    assert.match(issues[3]?.message ?? '', /S5 counts 7 data records/);
    assert.match(issues[4]?.message ?? '', /after the termination record of line 5/);
  });

  test('overlapping S-records and a missing termination are refused', () => {
    const overlap = [srec(3, 0x1fff_7800, [1, 2, 3, 4]), srec(3, 0x1fff_7803, [9]), srec(7, 0, [])].join('\n');
    const issues = issuesOf(() => read(STM32F4, overlap, 'srec'));
    assert.equal(issues[0]?.where, 'line 2');
    assert.match(issues[0]?.message ?? '', /line 1 already gives the byte at 0x1FFF7803/);
    assert.equal(issuesOf(() => read(STM32F4, srec(3, 0x1fff_7800, [1, 2, 3, 4]), 'srec'))[0]?.where, 'end of file');
  });
});

describe('board files and the planner', () => {
  test('a double-word family: a 4-byte record becomes one whole double-word write', () => {
    const text = [srec(3, 0x1fff_7010, [0xaa, 0xbb, 0xcc, 0xdd]), srec(7, 0, [])].join('\n');
    const board = read(STM32G0, text, 'srec');
    const plan = planProvisioning(STM32G0, blankState(STM32G0), board.image);
    assert.equal(plan.kind, 'write');
    assert.deepEqual(
      plan.dataChunks.map((c) => [c.address, [...c.bytes]]),
      [[0x1fff_7010, [0xaa, 0xbb, 0xcc, 0xdd, 0xff, 0xff, 0xff, 0xff]]],
    );
  });

  test('an offset is for binaries only; the format follows the extension', () => {
    const issues = issuesOf(() =>
      readBoardFile(STM32F4, enc(EOF_RECORD), { format: 'ihex', offsetBytes: 4, label: 'x' }),
    );
    assert.match(issues[0]?.message ?? '', /raw binaries only/);
    assert.equal(boardFileFormatOf('board.HEX'), 'ihex');
    assert.equal(boardFileFormatOf('board.s37'), 'srec');
    assert.equal(boardFileFormatOf('board.bin'), 'bin');
    assert.equal(boardFileFormatOf('board'), 'bin');
  });
});
