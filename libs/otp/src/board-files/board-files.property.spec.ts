// Round trips: any target image of any family, written as a binary (with its lock bytes where the family
// has them), as Intel HEX (by nrf-intel-hex's own writer) and as S-records, reads back as the same image.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import nrfIntelHex from 'nrf-intel-hex';
import { stateFromImage } from '../image/image-helpers.js';
import { BLANK_BYTE, type OtpImage } from '../image/otp-image.js';
import { CHIP_FAMILIES, type DeviceProfile, lockByteCount } from '../profiles/device-profile.js';
import { getProfile } from '../profiles/index.js';
import { targetArb } from '../planner/testing/arbitraries.js';
import { readBoardFile } from './read-board-file.js';

type MemoryMapClass = typeof nrfIntelHex.default;
const MemoryMap: MemoryMapClass =
  (nrfIntelHex as Partial<typeof nrfIntelHex>).default ?? (nrfIntelHex as unknown as MemoryMapClass);

const scenario = fc
  .constantFrom(...CHIP_FAMILIES.map(getProfile))
  .chain((profile) => targetArb(profile).map((target) => ({ profile, target })));

/** The programmed bytes of `image` (data and lock bytes) as runs at their addresses: what a board file gives. */
function runsOf(profile: DeviceProfile, image: OtpImage): [number, Uint8Array][] {
  const state = stateFromImage(profile, image);
  const areas: [number, Uint8Array][] = [[profile.otpBaseAddress, state.data]];
  if (profile.lockBaseAddress !== null) areas.push([profile.lockBaseAddress, state.lockBytes]);
  const runs: [number, Uint8Array][] = [];
  for (const [base, bytes] of areas) {
    let start = -1;
    for (let i = 0; i <= bytes.length; i += 1) {
      const programmed = i < bytes.length && bytes[i] !== BLANK_BYTE;
      if (programmed && start === -1) start = i;
      if (!programmed && start !== -1) {
        runs.push([base + start, bytes.slice(start, i)]);
        start = -1;
      }
    }
  }
  return runs;
}

function toSRecords(runs: readonly [number, Uint8Array][]): string {
  const hex = (bytes: readonly number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  const lines: string[] = [];
  for (const [address, bytes] of runs) {
    for (let i = 0; i < bytes.length; i += 32) {
      const at = address + i;
      const record = [Math.min(32, bytes.length - i) + 5, at >>> 24, (at >>> 16) & 0xff, (at >>> 8) & 0xff, at & 0xff];
      const all = [...record, ...bytes.subarray(i, i + 32)];
      lines.push(`S3${hex([...all, ~all.reduce((a, b) => a + b, 0) & 0xff])}`);
    }
  }
  return [...lines, 'S70500000000FA'].join('\n');
}

describe('board files round-trip any image', () => {
  test('binary with lock bytes, Intel HEX and S-record all read back as the image', () => {
    fc.assert(
      fc.property(scenario, ({ profile, target }) => {
        const state = stateFromImage(profile, target);
        const binary = Uint8Array.from([...state.data, ...state.lockBytes]);
        const fromBinary = readBoardFile(profile, binary, { format: 'bin', label: 'b' }).image;
        assert.deepEqual(fromBinary, target);
        assert.equal(lockByteCount(profile), state.lockBytes.length);

        const runs = runsOf(profile, target);
        const hexText = new MemoryMap(runs).asHexString();
        const fromHex = readBoardFile(profile, new TextEncoder().encode(hexText), { format: 'ihex', label: 'h' });
        assert.deepEqual(fromHex.image, target);

        const srec = new TextEncoder().encode(toSRecords(runs));
        assert.deepEqual(readBoardFile(profile, srec, { format: 'srec', label: 's' }).image, target);
      }),
      { numRuns: 60 },
    );
  });
});
