// Every cut point of every frame the client sends to program an image: a chip that received only a
// prefix of that session (the station died there), then a new session's connect(), holds exactly
// what the fully sent Write Memory frames programmed: no 0x7F, no other byte, no damage.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { STM32F4, STM32L4 } from '../profiles/index.js';
import { type DeviceProfile } from '../profiles/index.js';
import { createHarness } from './testing/harness.js';
import { WiredDevice } from './testing/wired-device.js';

/**
 * Every cut point of every session with INGRAIN_RESYNC_ALL_CUTS=1 (`npm run soak:resync`, about
 * 2 minutes); in `npm test` the random sessions check every fourth cut from a random start (the chaos
 * image keeps every cut), so the file stays well inside the suite's per-file timeout. Each frame's
 * cut positions are also checked exhaustively, without connect(), by resync-safe-frames.spec.ts.
 */
const CUT_STRIDE = process.env['INGRAIN_RESYNC_ALL_CUTS'] === '1' ? 1 : 4;

/** Tiny margins: the model answers synchronously, and each cut point runs a whole connect(). */
const FAST = { replyMarginMs: 5, programTimePer256BytesMs: 1, maxResyncAttempts: 24 };

/** What the client sends to program `image` at the OTP base (after its own 0x7F). */
async function sessionBytes(profile: DeviceProfile, image: Uint8Array): Promise<number[]> {
  const harness = createHarness({ profile, client: FAST });
  try {
    await harness.client.connect();
    await harness.client.writeMemory(profile.otpBaseAddress, image, { alignmentBytes: profile.writeAlignmentBytes });
    assert.deepEqual(harness.chip.data.subarray(0, image.length), image);
    return [...harness.device.received];
  } finally {
    await harness.close();
  }
}

async function checkEveryCut(profile: DeviceProfile, image: Uint8Array, stride = 1): Promise<void> {
  const stream = await sessionBytes(profile, image);
  const first = 1 + (image.reduce((sum, byte) => sum + byte, 0) % stride);
  for (let cut = first; cut < stream.length; cut += stride) {
    // What the frames fully sent before the cut programmed: the same prefix, and nothing after it.
    const reference = new WiredDevice(profile);
    for (const byte of stream.slice(0, cut)) reference.feed(byte);

    const harness = createHarness({ profile, client: FAST });
    try {
      for (const byte of stream.slice(0, cut)) harness.device.feed(byte);
      await harness.client.connect();
      assert.equal(await harness.client.getId(), profile.productIds[0]);
      assert.deepEqual(harness.chip.damaged, [], `cut ${cut}`);
      assert.deepEqual(harness.chip.data, reference.chip.data, `cut ${cut} of ${stream.length}`);
      assert.deepEqual(harness.chip.lockBytes, reference.chip.lockBytes, `cut ${cut}`);
    } finally {
      await harness.close();
    }
  }
}

/** Images whose naive 256-byte split is unsafe (x_j hits 0x7F/0x80), and random ones. */
const imageArb = (lengthBytes: number) =>
  fc.oneof(
    fc.uint8Array({ minLength: lengthBytes, maxLength: lengthBytes }),
    fc
      .integer({ min: 0, max: 255 })
      .map((seed) => Uint8Array.from({ length: lengthBytes }, (_, i) => (i + seed) & 0xff)),
  );

describe('resync-safe frames: every cut point of a programming session, then connect()', () => {
  test('the image the chaos suite found (128-byte chunk at offset 64) leaves no 0x7F at any cut', async () => {
    const image = new Uint8Array(192).fill(0xff);
    image.fill(0x60, 64, 192);
    await checkEveryCut(STM32F4, image);
  });

  test('random 384-byte F4 images (4-byte units)', async () => {
    await fc.assert(
      fc.asyncProperty(imageArb(384), (image) => checkEveryCut(STM32F4, image, CUT_STRIDE)),
      { numRuns: 2 },
    );
  });

  test('random L4 images (8-byte double-words)', async () => {
    await fc.assert(
      fc.asyncProperty(imageArb(256), (image) => checkEveryCut(STM32L4, image, CUT_STRIDE)),
      { numRuns: 2 },
    );
  });
});
