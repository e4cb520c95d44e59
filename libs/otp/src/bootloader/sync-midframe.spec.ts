// Found by npm run chaos (docs/reliability.md, "Found"): a device left waiting for the data of a
// 128-byte Write Memory (N = 0x7F already received) takes connect()'s single 0x7F as its first data
// byte; the 0xFF bursts of the re-synchronisation then fill the frame, and its checksum matches
// (0x7F ^ 0x7F ^ 127 × 0xFF = 0xFF, the burst's last byte): the ROM programmed 0x7F into OTP.
// Fixed by resync-safe frames (docs/hardware.md §resync-safe-frames): the client never sends a
// data frame that such a 0x7F + 0xFF fill can complete, so no cut of what it sends leaves one pending.
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

/** What the client sends for the chaos run's chunk (128 × 0x60 at OTP offset 64), after its 0x7F. */
async function chaosChunkSession(): Promise<number[]> {
  const sender = createHarness();
  try {
    await sender.client.connect();
    await sender.client.writeMemory(OTP + 64, new Uint8Array(128).fill(0x60), { alignmentBytes: 4 });
    return sender.device.received.slice(1);
  } finally {
    await sender.close();
  }
}

test('a device left waiting for the data of the first frame of a 128-byte write is recovered without programming anything', async () => {
  const session = await chaosChunkSession();
  const head = [...encodeCommand(Opcode.WRITE_MEMORY), ...encodeAddress(OTP + 64)];
  assert.deepEqual(session.slice(0, head.length), head);
  harness = createHarness();
  const { client, chip, device } = harness;
  // The station died right after the first data frame's N byte (the chaos run's cut point).
  for (const byte of [0x7f, ...session.slice(0, head.length + 1)]) device.feed(byte);
  await client.connect();
  assert.equal(await client.getId(), 0x413);
  assert.deepEqual(chip.damaged, []);
  assert.equal(
    chip.data[64],
    0xff,
    `OTP byte 64 is 0x${(chip.data[64] ?? 0).toString(16)}: the sync byte was programmed`,
  );
  assert.ok(chip.data.every((byte) => byte === 0xff));
});
