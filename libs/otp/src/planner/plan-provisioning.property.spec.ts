import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { blankState, stateFromImage } from '../image/image-helpers.js';
import { BLANK_BYTE, LOCKED_BYTE, type OtpImage, type OtpState } from '../image/otp-image.js';
import { type DeviceProfile, lockByteCount, otpSizeBytes } from '../profiles/device-profile.js';
import { type Plan } from './plan.js';
import { planProvisioning } from './plan-provisioning.js';
import { PLANNED_PROFILES, scenarioArb } from './testing/arbitraries.js';
import { OtpMemoryModel } from './testing/otp-memory-model.js';

const mergeGapArb = fc.integer({ min: 0, max: 300 });
const withLockBytes = scenarioArb.filter(({ profile }) => lockByteCount(profile) > 0);

function expectedLockBytes(profile: DeviceProfile, target: OtpImage): Uint8Array {
  return stateFromImage(profile, target).lockBytes;
}

function copyState(state: OtpState): { data: Uint8Array; lockBytes: Uint8Array } {
  return { data: Uint8Array.from(state.data), lockBytes: Uint8Array.from(state.lockBytes) };
}

function assertConflictWithoutWrites(plan: Plan): asserts plan is Extract<Plan, { kind: 'conflict' }> {
  assert.equal(plan.kind, 'conflict');
  assert.equal('dataChunks' in plan, false);
  assert.equal('lockChunks' in plan, false);
}

describe('planProvisioning properties (F4, F7, F72x, L4, G0)', () => {
  test('completes any interrupted programming exactly, never programming a non-blank byte', () => {
    fc.assert(
      fc.property(scenarioArb, mergeGapArb, ({ profile, target, current }, mergeGapBytes) => {
        const plan = planProvisioning(profile, current, target, { mergeGapBytes });
        assert.notEqual(plan.kind, 'conflict');
        const device = new OtpMemoryModel(profile, current);
        if (plan.kind === 'write') {
          plan.dataChunks.forEach((chunk) => device.write(chunk));
          plan.lockChunks.forEach((chunk) => device.write(chunk));
        }
        assert.deepEqual(device.violations, []);
        assert.deepEqual(device.data, target.data);
        assert.deepEqual(device.lockBytes, expectedLockBytes(profile, target));
        assert.equal(planProvisioning(profile, device.state(), target).kind, 'already-provisioned');
      }),
    );
  });

  test('a fully provisioned device is already-provisioned', () => {
    fc.assert(
      fc.property(scenarioArb, ({ profile, target }) => {
        const plan = planProvisioning(profile, stateFromImage(profile, target), target);
        assert.deepEqual(plan, { kind: 'already-provisioned' });
      }),
    );
  });

  test('every chunk is aligned, at most 256 bytes, inside its area, in order and disjoint', () => {
    fc.assert(
      fc.property(scenarioArb, mergeGapArb, ({ profile, target, current }, mergeGapBytes) => {
        const plan = planProvisioning(profile, current, target, { mergeGapBytes });
        if (plan.kind !== 'write') return;
        const align = profile.writeAlignmentBytes;
        const areas = [
          { chunks: plan.dataChunks, base: profile.otpBaseAddress, size: otpSizeBytes(profile) },
          { chunks: plan.lockChunks, base: profile.lockBaseAddress ?? 0, size: lockByteCount(profile) },
        ];
        for (const { chunks, base, size } of areas) {
          let previousEnd = base;
          for (const chunk of chunks) {
            assert.equal(chunk.address % align, 0, 'address aligned');
            assert.equal(chunk.bytes.length % align, 0, 'length aligned');
            assert.ok(chunk.bytes.length > 0 && chunk.bytes.length <= 256, 'length within 1..256');
            assert.ok(chunk.address >= previousEnd, 'in address order, not overlapping');
            assert.ok(chunk.address + chunk.bytes.length <= base + size, 'inside its area');
            previousEnd = chunk.address + chunk.bytes.length;
          }
        }
        const programmed = plan.dataChunks.reduce((n, c) => n + c.bytes.filter((b) => b !== BLANK_BYTE).length, 0);
        assert.equal(plan.bytesToProgram, programmed);
        for (const chunk of plan.lockChunks) assert.ok(chunk.bytes.every((b) => b === BLANK_BYTE || b === LOCKED_BYTE));
      }),
    );
  });

  describe('conflicts stop the plan with no writes', () => {
    test('a byte programmed with another value (or where the target is blank)', () => {
      const arb = fc.tuple(scenarioArb, fc.nat(), fc.integer({ min: 0, max: 254 }));
      fc.assert(
        fc.property(arb, ([{ profile, target, current }, position, value]) => {
          const offset = position % target.data.length;
          const bad = value === target.data[offset] ? (value + 1) % BLANK_BYTE : value;
          const state = copyState(current);
          state.data[offset] = bad;
          const plan = planProvisioning(profile, state, target);
          assertConflictWithoutWrites(plan);
          const unitStart = offset - (offset % profile.writeOnceUnitBytes);
          const hit = plan.conflicts.find(
            (c) => c.reason === 'byte-conflict' && c.offsetBytes >= unitStart && c.offsetBytes <= offset,
          );
          assert.ok(hit, `byte-conflict reported for offset ${offset}`);
          assert.equal(hit.block, Math.floor(offset / profile.blockSizeBytes));
        }),
      );
    });

    test('a lock byte that is neither 0x00 nor 0xFF', () => {
      const arb = fc.tuple(withLockBytes, fc.nat(), fc.integer({ min: 1, max: 254 }));
      fc.assert(
        fc.property(arb, ([{ profile, target, current }, blockSeed, value]) => {
          const block = blockSeed % profile.blockCount;
          const state = copyState(current);
          state.lockBytes[block] = value;
          const plan = planProvisioning(profile, state, target);
          assertConflictWithoutWrites(plan);
          assert.ok(
            plan.conflicts.some((c) => c.reason === 'invalid-lock-byte' && c.block === block && c.actual === value),
          );
        }),
      );
    });

    test('a locked block that still needs data', () => {
      const arb = fc.tuple(withLockBytes, fc.nat());
      fc.assert(
        fc.property(arb, ([{ profile, target, current }, seed]) => {
          const programmedOffsets = [...target.data.keys()].filter((i) => target.data[i] !== BLANK_BYTE);
          fc.pre(programmedOffsets.length > 0);
          const offset = programmedOffsets[seed % programmedOffsets.length] ?? 0;
          const block = Math.floor(offset / profile.blockSizeBytes);
          const state = copyState(current);
          state.data[offset] = BLANK_BYTE;
          state.lockBytes[block] = LOCKED_BYTE;
          const plan = planProvisioning(profile, state, target);
          assertConflictWithoutWrites(plan);
          const hit = plan.conflicts.find((c) => c.reason === 'locked-block-incomplete' && c.block === block);
          assert.ok(hit && hit.reason === 'locked-block-incomplete' && hit.missingBytes >= 1);
        }),
      );
    });

    test('a locked block the target leaves open', () => {
      const arb = fc.tuple(withLockBytes, fc.nat());
      fc.assert(
        fc.property(arb, ([{ profile, target, current }, seed]) => {
          const open = [...Array(profile.blockCount).keys()].filter((b) => !target.lockedBlocks.includes(b));
          fc.pre(open.length > 0);
          const block = open[seed % open.length] ?? 0;
          const state = copyState(current);
          state.lockBytes[block] = LOCKED_BYTE;
          const plan = planProvisioning(profile, state, target);
          assertConflictWithoutWrites(plan);
          assert.ok(plan.conflicts.some((c) => c.reason === 'unexpected-lock' && c.block === block));
        }),
      );
    });
  });

  describe('double-word families (L4, G0): a double-word is planned and written once, whole', () => {
    const doubleWord = scenarioArb.filter(({ profile }) => profile.writeOnceUnitBytes === 8);

    test('every double-word a chunk touches is blank on the device and programmed whole by that chunk', () => {
      fc.assert(
        fc.property(doubleWord, ({ profile, target, current }) => {
          const plan = planProvisioning(profile, current, target);
          if (plan.kind !== 'write') return;
          for (const chunk of plan.dataChunks) {
            const start = chunk.address - profile.otpBaseAddress;
            assert.equal(start % 8, 0, 'aligned on a double-word');
            assert.equal(chunk.bytes.length % 8, 0, 'whole double-words');
            for (let i = 0; i < chunk.bytes.length; i += 8) {
              const unit = chunk.bytes.subarray(i, i + 8);
              assert.ok(
                current.data.subarray(start + i, start + i + 8).every((b) => b === BLANK_BYTE),
                'blank before',
              );
              assert.deepEqual(unit, target.data.subarray(start + i, start + i + 8), 'the whole target double-word');
              assert.ok(
                unit.some((b) => b !== BLANK_BYTE),
                'never an all-0xFF double-word',
              );
            }
          }
        }),
      );
    });

    test('a partly-programmed double-word that differs from the target is a conflict, never a top-up', () => {
      const arb = fc.tuple(doubleWord, fc.nat(), fc.nat());
      fc.assert(
        fc.property(arb, ([{ profile, target }, unitSeed, byteSeed]) => {
          const units = [...Array(target.data.length / 8).keys()].filter((u) =>
            target.data.subarray(u * 8, u * 8 + 8).some((b) => b !== BLANK_BYTE),
          );
          fc.pre(units.length > 0);
          const unit = units[unitSeed % units.length] ?? 0;
          const programmed = [...Array(8).keys()].filter((i) => target.data[unit * 8 + i] !== BLANK_BYTE);
          fc.pre(programmed.length > 1);
          // The device holds only part of the double-word's target bytes (an earlier partial write).
          const state = copyState(blankState(profile));
          const kept = programmed[byteSeed % programmed.length] ?? 0;
          state.data[unit * 8 + kept] = target.data[unit * 8 + kept] ?? BLANK_BYTE;
          const plan = planProvisioning(profile, state, target);
          assertConflictWithoutWrites(plan);
          assert.ok(
            plan.conflicts.some(
              (c) => c.reason === 'byte-conflict' && Math.floor(c.offsetBytes / 8) === unit && c.actual === BLANK_BYTE,
            ),
            `double-word ${unit} reported`,
          );
        }),
      );
    });
  });

  test('profiles under test', () => {
    assert.deepEqual(
      PLANNED_PROFILES.map((p) => p.family),
      ['stm32f4', 'stm32f7', 'stm32f72x', 'stm32l4', 'stm32g0'],
    );
  });
});
