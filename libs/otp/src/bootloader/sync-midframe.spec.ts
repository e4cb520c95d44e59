// Found by npm run chaos (docs/reliability.md, "Found"): a device left waiting for the data of a
// 128-byte Write Memory (N = 0x7F already received) takes connect()'s single 0x7F as its first data
// byte; the 0xFF bursts of the re-synchronisation then fill the frame, and its checksum matches
// (0x7F ^ 0x7F ^ 127 × 0xFF = 0xFF, the burst's last byte): the ROM programs 0x7F into OTP. Marked
// `todo` until connect() stops sending 0x7F to a device in an unknown state (owner: the fixture-line
// work, which adds NRST/BOOT0 control: a reset first makes the 0x7F safe). Remove `todo` with the fix.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { STM32F4 } from '../profiles/index.js';
import { Opcode } from './an3155.js';
import { encodeAddress, encodeCommand } from './frames.js';
import { createHarness, type Harness } from './testing/harness.js';

const OTP = STM32F4.otpBaseAddress;
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

test(
  'a device left waiting for the data of a 128-byte write is recovered without programming anything',
  { todo: 'connect() sends 0x7F to a device in an unknown state (found by npm run chaos)' },
  async () => {
    harness = createHarness();
    const { client, chip, device } = harness;
    for (const byte of [0x7f, ...encodeCommand(Opcode.WRITE_MEMORY), ...encodeAddress(OTP), 0x7f]) device.feed(byte);
    await client.connect();
    assert.equal(await client.getId(), 0x413);
    assert.deepEqual(chip.damaged, []);
    assert.equal(
      chip.data[0],
      0xff,
      `OTP byte 0 is 0x${(chip.data[0] ?? 0).toString(16)}: the sync byte was programmed`,
    );
  },
);
