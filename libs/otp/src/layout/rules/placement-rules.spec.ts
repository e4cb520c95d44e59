// A field spanning blocks, end to end: the encoder, the decoder and the planner work on OTP offsets
// and need nothing special; the lock rule (all spanned blocks locked, or none) is what keeps such a
// field from ever being half locked. Validation messages are covered in validate-layout.spec.ts.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { createHarness, type Harness } from '../../bootloader/testing/harness.js';
import { runProvisioningCycle } from '../../cycle/run-cycle.js';
import { blankState } from '../../image/image-helpers.js';
import { planProvisioning } from '../../planner/index.js';
import { STM32F4 } from '../../profiles/index.js';
import { decodeImage } from '../decode-image.js';
import { encodeImage } from '../encode-image.js';
import { layoutDoc } from '../testing/layout-fixtures.js';
import { validateLayout } from '../validate-layout.js';
import { type FieldSpec } from './field-rules.js';
import { blocksTouched } from './placement-rules.js';

// An uncompressed P-256 point (04 ‖ X ‖ Y) made of recognisable bytes; no 0xFF byte in it.
const PUBLIC_KEY = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 0x04 : (i * 3) % 0xfe));
const PUBLIC_KEY_HEX = Buffer.from(PUBLIC_KEY).toString('hex');

const layout = validateLayout(
  layoutDoc(
    [
      { name: 'serial', block: 0, offset: 0, type: 'ascii', length: 16, source: 'input' },
      {
        name: 'device_public_key',
        block: 2,
        offset: 0,
        type: 'bytes',
        length: 65,
        source: 'generated',
        generator: 'device-public-key',
      },
      { name: 'model', block: 4, offset: 4, type: 'u16le', source: 'constant', value: 0x0102 },
    ],
    { lock: [0, 2, 3, 4] },
  ),
);
const values = { serial: 'SN-0001', device_public_key: PUBLIC_KEY_HEX };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('a field spanning blocks 2-4 on F4 (device-public-key, 65 bytes)', () => {
  test('touches blocks 2, 3 and 4', () => {
    const spec = (block: number, offsetBytes: number, sizeBytes: number): FieldSpec => ({
      index: 0,
      name: 'f',
      type: 'bytes',
      block,
      offsetBytes,
      sizeBytes,
      origin: { source: 'input' },
      secret: false,
    });
    assert.deepEqual(blocksTouched(spec(2, 0, 65), STM32F4), [2, 3, 4]);
    assert.deepEqual(blocksTouched(spec(2, 31, 2), STM32F4), [2, 3]);
    assert.deepEqual(blocksTouched(spec(2, 0, 32), STM32F4), [2]);
    assert.deepEqual(blocksTouched(spec(15, 0, 40), STM32F4), [15], 'only blocks that exist');
    const field = layout.fields.find((f) => f.name === 'device_public_key');
    assert.equal(field?.address, STM32F4.otpBaseAddress + 64);
  });

  test('encodes at its OTP offsets and decodes back', () => {
    const image = encodeImage(layout, values);
    assert.deepEqual(image.data.subarray(64, 129), PUBLIC_KEY);
    assert.deepEqual([...image.data.subarray(132, 134)], [0x02, 0x01]); // model, block 4 byte 4
    assert.equal(image.data[129], 0xff);
    assert.deepEqual(image.lockedBlocks, [0, 2, 3, 4]);
    const decoded = decodeImage(layout, image.data);
    const key = decoded.find((f) => f.name === 'device_public_key');
    assert.equal(key?.state, 'programmed');
    assert.equal(key?.value, PUBLIC_KEY_HEX);
  });

  test('plans data across the block boundaries and locks all spanned blocks in the lock chunk', () => {
    const image = encodeImage(layout, values);
    const plan = planProvisioning(STM32F4, blankState(STM32F4), image);
    assert.equal(plan.kind, 'write');
    assert.deepEqual(plan.blocksToLock, [0, 2, 3, 4]);
    // serial alone, then one chunk from block 2 into block 4 (key and model, a 3-byte gap bridged).
    assert.deepEqual(
      plan.dataChunks.map((c) => [c.address - STM32F4.otpBaseAddress, c.bytes.length]),
      [
        [0, 16],
        [64, 72],
      ],
    );
    const programmed = new Uint8Array(image.data.length).fill(0xff);
    for (const chunk of plan.dataChunks) programmed.set(chunk.bytes, chunk.address - STM32F4.otpBaseAddress);
    assert.deepEqual(programmed, image.data, 'the data chunks write exactly the image');
    const locks = plan.lockChunks.flatMap((chunk) => [...chunk.bytes]);
    assert.deepEqual(locks.slice(0, 8), [0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff]);
  });

  test('is provisioned on a device: verified across blocks, then blocks 2-4 locked together', async () => {
    harness = createHarness();
    const image = encodeImage(layout, values);
    const result = await runProvisioningCycle(harness.client, { profile: STM32F4, target: image });
    assert.equal(result.outcome, 'provisioned');
    assert.deepEqual(harness.chip.data, image.data);
    assert.deepEqual([...harness.chip.lockBytes.subarray(0, 6)], [0x00, 0xff, 0x00, 0x00, 0x00, 0xff]);
    assert.deepEqual(harness.chip.damaged, []);
  });
});
