import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { STM32F4 } from '../profiles/index.js';
import { MAX_TRANSFER_BYTES, Opcode, RESYNC_BYTE, SYNC_BYTE } from './an3155.js';
import { encodeAddress, encodeCommand } from './frames.js';
import { firstUnsafeCut, isResyncSafe, planWriteFrames } from './resync-safe-frames.js';
import { WiredDevice } from './testing/wired-device.js';

const OTP = STM32F4.otpBaseAddress;
/** Enough 0xFF to end any pending frame (N + 256 data + checksum) and then some. */
const FILL = new Array<number>(300).fill(RESYNC_BYTE);

/** A synchronised chip that received `pending` (a Write Memory cut short), then 0x7F and 0xFF fill. */
function resyncAfter(pending: readonly number[]): WiredDevice {
  const device = new WiredDevice(STM32F4);
  for (const byte of [SYNC_BYTE, ...encodeCommand(Opcode.WRITE_MEMORY), ...pending, SYNC_BYTE, ...FILL]) {
    device.feed(byte);
  }
  return device;
}

/** Payloads of 4…256 bytes (N odd), with bytes drawn so that running XORs hit 0x7F/0x80 often. */
const payloadArb = fc.integer({ min: 1, max: MAX_TRANSFER_BYTES / 4 }).chain((words) =>
  fc.uint8Array({ minLength: words * 4, maxLength: words * 4 }).chain((random) =>
    fc
      .array(fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x01, 0xfe), {
        minLength: random.length,
        maxLength: random.length,
      })
      .chain((biased) =>
        fc
          .array(fc.boolean(), { minLength: random.length, maxLength: random.length })
          .map((pick) => Uint8Array.from(random, (byte, i) => (pick[i] === true ? (biased[i] ?? byte) : byte))),
      ),
  ),
);

describe('resync-safe frames: the derivation against the simulator', () => {
  test('a cut at j is completed and programmed by 0x7F + 0xFF fill exactly when x_j is 0x7F (j even) or 0x80 (j odd)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(payloadArb, (data) => {
        const n = data.length - 1;
        let runningXor = n;
        for (let j = 0; j <= data.length; j += 1) {
          const device = resyncAfter([...encodeAddress(OTP), n, ...data.subarray(0, j)]);
          const predicted = runningXor === (j % 2 === 0 ? 0x7f : 0x80);
          assert.equal(
            device.writes.length === 1,
            predicted,
            `N = ${n}, cut j = ${j}, x_j = 0x${runningXor.toString(16)}`,
          );
          if (predicted) {
            accepted += 1;
            const expected = Uint8Array.from([...data.subarray(0, j), SYNC_BYTE, ...FILL].slice(0, data.length));
            assert.deepEqual(device.writes[0]?.bytes, expected);
          }
          runningXor ^= data[j] ?? 0;
        }
        assert.equal(firstUnsafeCut(data) === undefined, isResyncSafe(data));
      }),
      { numRuns: 80 },
    );
    assert.ok(accepted > 0, 'the generator must reach unsafe cuts');
  });

  test('a 128-byte frame (N = 0x7F) is always unsafe at j = 0; the 0x7F arriving as N is always refused', () => {
    assert.equal(firstUnsafeCut(new Uint8Array(128).fill(0x60)), 0);
    const device = resyncAfter([...encodeAddress(OTP)]);
    assert.equal(device.writes.length, 0);
    assert.ok(device.chip.data.every((byte) => byte === 0xff));
  });

  test('a pending address frame becomes a garbage address and programs only 0xFF, if anything', () => {
    for (const address of [OTP, OTP + 0x100, 0x1fff7a00]) {
      const frame = encodeAddress(address);
      for (let cut = 0; cut < frame.length; cut += 1) {
        const device = resyncAfter([...frame.subarray(0, cut)]);
        assert.ok(
          device.chip.data.every((byte) => byte === 0xff),
          `address cut at ${cut}`,
        );
        assert.ok(
          device.chip.lockBytes.every((byte) => byte === 0xff),
          `address cut at ${cut}`,
        );
        assert.deepEqual(device.chip.damaged, []);
        for (const write of device.writes) assert.ok(write.bytes.every((byte) => byte === 0xff));
      }
    }
  });
});

describe('planWriteFrames', () => {
  const unitArb = fc.constantFrom(4, 8);

  test('covers the write in order with aligned frames of at most 256 bytes, all safe when possible, fewest frames', () => {
    fc.assert(
      fc.property(
        unitArb,
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 0xffff }),
        (unit, units, seed) => {
          const data = Uint8Array.from({ length: units * unit }, (_, i) => pseudoRandomByte(seed, i));
          const frames = planWriteFrames(OTP + unit * 4, data, unit);
          let offset = 0;
          for (const frame of frames) {
            assert.equal(frame.offsetBytes, offset);
            assert.equal(frame.address, OTP + unit * 4 + offset);
            assert.ok(frame.lengthBytes > 0 && frame.lengthBytes <= MAX_TRANSFER_BYTES);
            assert.equal(frame.lengthBytes % unit, 0);
            const payload = data.subarray(offset, offset + frame.lengthBytes);
            assert.equal(frame.resyncSafe, isResyncSafe(payload));
            offset += frame.lengthBytes;
          }
          assert.equal(offset, data.length);
          const optimum = bruteForce(data, unit);
          assert.equal(frames.filter((f) => !f.resyncSafe).length, optimum.unsafe);
          assert.equal(frames.length, optimum.frames);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a write no split makes safe still gets the fewest unsafe frames (one 4-byte unit starting 0x83)', () => {
    // N = 3, x_1 = 3 ^ 0x83 = 0x80 at odd j: a cut after d0 is completed by 0x7F + 0xFF.
    const frames = planWriteFrames(OTP, Uint8Array.of(0x83, 0x00, 0x00, 0x00), 4);
    assert.deepEqual(frames, [{ address: OTP, offsetBytes: 0, lengthBytes: 4, resyncSafe: false }]);
  });

  test('splits a 128-byte write, which is never safe in one frame', () => {
    const frames = planWriteFrames(OTP, new Uint8Array(128), 4);
    assert.equal(frames.length, 2);
    assert.ok(frames.every((f) => f.resyncSafe));
  });

  test('rejects a unit that is not a multiple of 4 dividing 256, and a length that is not a multiple of it', () => {
    assert.throws(() => planWriteFrames(OTP, new Uint8Array(12), 12), RangeError);
    assert.throws(() => planWriteFrames(OTP, new Uint8Array(12), 8), RangeError);
  });
});

function pseudoRandomByte(seed: number, index: number): number {
  const mixed = Math.imul(seed * 0x9e37 + index + 1, 0x85ebca6b) ^ (index * 0x27d4eb2d);
  return (mixed >>> 13) & 0xff;
}

/** Independent reference: fewest unsafe frames, then fewest frames, by exhaustive DP on isResyncSafe. */
function bruteForce(data: Uint8Array, unit: number): { unsafe: number; frames: number } {
  const units = data.length / unit;
  const best: { unsafe: number; frames: number }[] = [{ unsafe: 0, frames: 0 }];
  for (let end = 1; end <= units; end += 1) {
    let choice: { unsafe: number; frames: number } | undefined;
    for (let start = Math.max(0, end - MAX_TRANSFER_BYTES / unit); start < end; start += 1) {
      const before = best[start];
      if (before === undefined) continue;
      const payload = data.subarray(start * unit, end * unit);
      const candidate = { unsafe: before.unsafe + (isResyncSafe(payload) ? 0 : 1), frames: before.frames + 1 };
      if (
        choice === undefined ||
        candidate.unsafe < choice.unsafe ||
        (candidate.unsafe === choice.unsafe && candidate.frames < choice.frames)
      ) {
        choice = candidate;
      }
    }
    if (choice !== undefined) best[end] = choice;
  }
  return best[units] ?? { unsafe: 0, frames: 0 };
}
