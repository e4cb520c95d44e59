// `bin/ingrain-station program --family F --image FILE` with board files, end to end over real ptys
// against the simulator: a double-word family (G0) from an S-record file, and F72x/F73x from an Intel
// HEX file with a lock byte and from a binary at an offset. Bytes outside the OTP are refused by address
// and line before the port is opened; a half-programmed double-word is a conflict, never a top-up.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestSimulator, type SimulatedDeviceHandle, type TestSimulator } from '../support/simulator.js';
import { type CliRun, runStation } from '../support/station-cli.js';

/** Exit code of a link error: "run the same command again" (docs/station.md). */
const LINK_ERROR_EXIT = 6;

/**
 * Runs the CLI; on a link error runs it again, as an operator is told to (every step is safe to
 * repeat). The simulator answers in this test's process, and on a loaded machine a reply can miss the
 * host's timeout. What is checked is the outcome after at most three runs, and that the chip was never
 * damaged (the tests assert `damagedBytes()` where it matters).
 */
async function station(args: string[]): Promise<CliRun> {
  let result = await runStation(args, 60_000);
  for (let attempt = 1; attempt < 3 && result.code === LINK_ERROR_EXIT; attempt += 1) {
    result = await runStation(args, 60_000);
  }
  return result;
}

function hexPairs(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

/** An S3 record (32-bit address) or S7 termination, with its checksum. */
function s3(type: 3 | 7, address: number, data: readonly number[]): string {
  const bytes = [
    4 + data.length + 1,
    address >>> 24,
    (address >>> 16) & 0xff,
    (address >>> 8) & 0xff,
    address & 0xff,
    ...data,
  ];
  return `S${type}${hexPairs([...bytes, ~bytes.reduce((a, b) => a + b, 0) & 0xff])}`;
}

/** An Intel HEX record with its checksum. */
function ihex(type: number, offset: number, data: readonly number[]): string {
  const bytes = [data.length, offset >> 8, offset & 0xff, type, ...data];
  return `:${hexPairs([...bytes, (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff])}`;
}

const SERIAL = [...'SN-G0-000042'].map((c) => c.charCodeAt(0)); // 12 bytes: one double-word and a half

describe('ingrain-station program from board files', () => {
  let g0: TestSimulator;
  let f72: TestSimulator;
  let dir: string;
  const device = (sim: TestSimulator, index: number): SimulatedDeviceHandle => {
    const handle = sim.devices[index];
    assert.ok(handle);
    return handle;
  };

  before(async () => {
    g0 = await startTestSimulator({ family: 'stm32g0', count: 3 });
    f72 = await startTestSimulator({ family: 'stm32f72x', count: 2 });
    dir = await mkdtemp(join(tmpdir(), 'ingrain-board-files-'));
  });
  after(async () => {
    await g0.close();
    await f72.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('G0: an S-record file at 0x1FFF7000 is written in whole double-words; a re-run writes nothing', async () => {
    const path = join(dir, 'serial.s37');
    await writeFile(path, [s3(3, 0x1fff_7000, SERIAL), s3(7, 0, [])].join('\n') + '\n');
    const args = ['program', '--port', device(g0, 0).port, '--family', 'stm32g0', '--image', path, '--json'];
    const first = await station(args);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.equal((JSON.parse(first.stdout) as { outcome: string }).outcome, 'provisioned');
    const otp = device(g0, 0).device.otp();
    assert.deepEqual([...otp.data.subarray(0, 16)], [...SERIAL, 0xff, 0xff, 0xff, 0xff]);
    assert.ok(otp.data.subarray(16).every((b) => b === 0xff));
    assert.equal(otp.lockBytes.length, 0, 'G0 has no lock bytes');
    assert.deepEqual(device(g0, 0).device.damagedBytes(), [], 'no double-word written twice');
    const again = await station(args);
    assert.equal((JSON.parse(again.stdout) as { outcome: string }).outcome, 'already-provisioned');
  });

  test('G0: a byte past the OTP is refused by address and line before the port is opened', async () => {
    const path = join(dir, 'outside.srec');
    await writeFile(path, [s3(3, 0x1fff_7000, SERIAL), s3(3, 0x1fff_7400, [0x01]), s3(7, 0, [])].join('\n'));
    const result = await station(['program', '--port', device(g0, 1).port, '--family', 'stm32g0', '--image', path]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /line 2: the byte at 0x1FFF7400 is outside the OTP area of stm32g0/);
    assert.match(result.stderr, /stm32g0 has no lock bytes/);
    assert.equal(device(g0, 1).device.status, 'awaiting-sync', 'the chip never saw a byte');
  });

  test('G0: a double-word holding part of its target is a conflict (exit 3), nothing written', async () => {
    device(g0, 2).device.preload('data', 8, SERIAL.slice(8, 10)); // an earlier, interrupted write
    const path = join(dir, 'serial-again.s37');
    await writeFile(path, [s3(3, 0x1fff_7000, SERIAL), s3(7, 0, [])].join('\n'));
    const result = await station([
      'program',
      '--port',
      device(g0, 2).port,
      '--family',
      'stm32g0',
      '--image',
      path,
      '--json',
    ]);
    assert.equal(result.code, 3, result.stderr + result.stdout);
    assert.equal((JSON.parse(result.stdout) as { outcome: string }).outcome, 'conflict');
    const otp = device(g0, 2).device.otp();
    assert.ok(
      otp.data.subarray(0, 8).every((b) => b === 0xff),
      'the untouched double-word was not written either',
    );
    assert.deepEqual(device(g0, 2).device.damagedBytes(), []);
  });

  test('F72x: an Intel HEX file with a lock byte programs block 0 at 0x1FF07800, verifies, then locks it', async () => {
    const path = join(dir, 'board.hex');
    const block0 = Array.from({ length: 32 }, (_, i) => 0x40 + i);
    const text = [
      ihex(0x04, 0, [0x1f, 0xf0]),
      ihex(0x00, 0x7800, block0.slice(0, 16)),
      ihex(0x00, 0x7810, block0.slice(16)),
      ihex(0x00, 0x7a00, [0x00]),
      ihex(0x01, 0, []),
    ].join('\r\n');
    await writeFile(path, text + '\r\n');
    const result = await station([
      'program',
      '--port',
      device(f72, 0).port,
      '--family',
      'stm32f72x',
      '--image',
      path,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { outcome: string; blocksLocked: number };
    assert.equal(json.outcome, 'provisioned');
    assert.equal(json.blocksLocked, 1);
    const otp = device(f72, 0).device.otp();
    assert.deepEqual([...otp.data.subarray(0, 32)], block0);
    assert.deepEqual([...otp.lockBytes.subarray(0, 4)], [0x00, 0xff, 0xff, 0xff]);
    assert.deepEqual(device(f72, 0).device.damagedBytes(), [], 'no byte or lock byte programmed twice');
  });

  test('F72x: a file lock byte for a block the file leaves blank needs --lock N --lock-empty', async () => {
    const path = join(dir, 'empty-lock.hex');
    const text = [ihex(0x04, 0, [0x1f, 0xf0]), ihex(0x00, 0x7a03, [0x00]), ihex(0x01, 0, [])].join('\n');
    await writeFile(path, text);
    const refused = await station(['program', '--port', device(f72, 1).port, '--family', 'stm32f72x', '--image', path]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /lock block 3, which the file leaves blank/);
    assert.match(refused.stderr, /--lock 3 --lock-empty/);
    const dry = [
      ...['program', '--port', device(f72, 1).port, '--family', 'stm32f72x', '--image', path],
      ...['--lock', '3', '--lock-empty', '--dry-run', '--json'],
    ];
    const planned = await station(dry);
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal((JSON.parse(planned.stdout) as { outcome: string }).outcome, 'planned');
    assert.deepEqual([...device(f72, 1).device.otp().lockBytes.subarray(0, 4)], [0xff, 0xff, 0xff, 0xff]);
  });

  test('F72x: a 32-byte binary at --offset 0x40 with --lock 2; a record at the F74x OTP address is refused', async () => {
    const path = join(dir, 'block2.bin');
    await writeFile(path, Buffer.alloc(32, 0x2b));
    const result = await station([
      'program',
      '--port',
      device(f72, 1).port,
      '--family',
      'stm32f72x',
      '--image',
      path,
      '--offset',
      '0x40',
      '--lock',
      '2',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const otp = device(f72, 1).device.otp();
    assert.ok(otp.data.subarray(64, 96).every((b) => b === 0x2b));
    assert.deepEqual([...otp.lockBytes.subarray(0, 4)], [0xff, 0xff, 0x00, 0xff]);

    const wrongMap = join(dir, 'f74x-map.hex');
    await writeFile(
      wrongMap,
      [ihex(0x04, 0, [0x1f, 0xf0]), ihex(0x00, 0xf000, [1, 2, 3, 4]), ihex(0x01, 0, [])].join('\n'),
    );
    const refused = await station([
      'program',
      '--port',
      device(f72, 1).port,
      '--family',
      'stm32f72x',
      '--image',
      wrongMap,
    ]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /line 2: bytes 0x1FF0F000–0x1FF0F003 are outside the OTP area of stm32f72x/);
  });
});
