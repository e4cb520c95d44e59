// Per-family simulator models (docs/hardware.md §otp-map, §chip-ids, §uid): F72x/F73x and the double-word
// families G0, G4, WB, WL (and L4+ inside stm32l4). Memory map, Get ID, and OTP write semantics, then one
// whole provisioning cycle per family through libs/otp's client over a memory link.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BootloaderClient,
  type ChipFamily,
  createMemoryLink,
  getProfile,
  imageFromRaw,
  otpSizeBytes,
  runProvisioningCycle,
} from '#ingrain/otp';
import { familyTraits } from './family-traits.js';
import { MemoryMap } from './memory-map.js';
import { OtpMemory } from './otp-memory.js';
import { serveOnTransport } from './serve-transport.js';
import { SimulatedDevice } from './simulated-device.js';
import { ACK, NACK, addr, cmd, dataFrame, len, talk } from './testing/host-frames.js';

const UID = Uint8Array.from({ length: 12 }, (_, i) => 0x30 + i);
const DOUBLE_WORD_FAMILIES = ['stm32g0', 'stm32g4', 'stm32wb', 'stm32wl'] as const satisfies readonly ChipFamily[];

function memory(family: ChipFamily): OtpMemory {
  return new OtpMemory(getProfile(family), familyTraits(family), { uid: UID });
}

describe('F72x/F73x model', () => {
  const map = new MemoryMap(getProfile('stm32f72x'), familyTraits('stm32f72x'));

  test('maps 512 data bytes at 0x1FF07800, lock bytes at 0x1FF07A00, UID 0x1FF07A10, flash size 0x1FF07A22', () => {
    assert.equal(map.locate(0x1ff0_7800)?.region.kind, 'otp-data');
    assert.equal(map.locate(0x1ff0_79ff)?.offsetBytes, 511);
    assert.equal(map.locate(0x1ff0_7a00)?.region.kind, 'otp-lock');
    assert.equal(map.locate(0x1ff0_7a10)?.region.kind, 'uid');
    assert.equal(map.locate(0x1ff0_7a22)?.region.kind, 'flash-size');
    assert.equal(map.locate(0x1ff0_f000), undefined, 'not the F74x–F77x OTP');
    assert.equal(map.covers(0x1ff0_7800, 528, true), true, 'data and lock bytes are one writable area');
  });

  test('bytes program once, a locked 32-byte block refuses writes', () => {
    const otp = memory('stm32f72x');
    otp.program(0x1ff0_7a00, Uint8Array.of(0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), Infinity);
    const outcome = otp.program(0x1ff0_7800, new Uint8Array(64).fill(0x5a), Infinity);
    assert.equal(outcome.writeProtectedBytes, 32, 'block 0 locked');
    assert.deepEqual(otp.read(0x1ff0_7800, 32), new Uint8Array(32).fill(0xff));
    assert.deepEqual(otp.read(0x1ff0_7820, 32), new Uint8Array(32).fill(0x5a));
    assert.deepEqual(otp.read(0x1ff0_7a10, 12), UID);
  });
});

for (const family of DOUBLE_WORD_FAMILIES) {
  describe(`${family} model (double-word OTP)`, () => {
    test('maps 1 KB at 0x1FFF7000, UID 0x1FFF7590, flash size 0x1FFF75E0, and no lock bytes', () => {
      const map = new MemoryMap(getProfile(family), familyTraits(family));
      assert.equal(map.locate(0x1fff_7000)?.region.kind, 'otp-data');
      assert.equal(map.locate(0x1fff_73ff)?.offsetBytes, 1023);
      assert.equal(map.locate(0x1fff_7400), undefined);
      assert.equal(map.locate(0x1fff_7590)?.region.kind, 'uid');
      assert.equal(map.locate(0x1fff_75e0)?.region.kind, 'flash-size');
      assert.equal(
        map.regions.some((r) => r.kind === 'otp-lock'),
        false,
      );
    });

    test('a programmed double-word refuses a second write (nothing changes, recorded), its neighbour stays open', () => {
      const otp = memory(family);
      otp.program(0x1fff_7000, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), Infinity);
      otp.program(0x1fff_7000, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0), Infinity);
      otp.program(0x1fff_7008, Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9), Infinity);
      assert.deepEqual(otp.read(0x1fff_7000, 8), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 'not even 0x00 gets in');
      assert.deepEqual(otp.read(0x1fff_7008, 8), new Uint8Array(8).fill(9));
      assert.deepEqual(
        otp.damagedBytes().map((d) => d.reason),
        Array<string>(8).fill('double-word-closed'),
      );
    });

    test(`Get ID answers the family's product ID 0x${familyTraits(family).defaultProductId.toString(16)}`, () => {
      const device = new SimulatedDevice({ family });
      assert.equal(device.productId, familyTraits(family).defaultProductId);
      assert.ok(getProfile(family).productIds.includes(device.productId));
    });
  });
}

describe('Write Memory on the wire (host frames written from AN3155 §3.6)', () => {
  test('G4: a double-word is written once; the second write is ACKed and changes nothing; 4-byte alignment is NACKed', () => {
    const device = new SimulatedDevice({ family: 'stm32g4' });
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    const write = (address: number, data: number[]) => talk(device, cmd(0x31), addr(address), dataFrame(data));
    assert.deepEqual(write(0x1fff_7000, [1, 2, 3, 4, 5, 6, 7, 8]), [ACK, ACK, ACK]);
    assert.deepEqual(write(0x1fff_7000, [0, 0, 0, 0, 0, 0, 0, 0]), [ACK, ACK, ACK], 'the ACK proves nothing');
    assert.deepEqual(talk(device, cmd(0x11), addr(0x1fff_7000), len(8)), [ACK, ACK, ACK, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(talk(device, cmd(0x31), addr(0x1fff_7004)), [ACK, NACK], 'double-word alignment');
    assert.deepEqual(talk(device, cmd(0x31), addr(0x1fff_7400)), [ACK, NACK], 'past the OTP: no lock area');
    assert.equal(device.damagedBytes().length, 8);
  });

  test('F72x: Get ID answers 0x452; the F74x–F77x OTP address is NACKed', () => {
    const device = new SimulatedDevice({ family: 'stm32f72x' });
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    assert.deepEqual(talk(device, cmd(0x02)), [ACK, 0x01, 0x04, 0x52, ACK]);
    assert.deepEqual(talk(device, cmd(0x31), addr(0x1ff0_f000)), [ACK, NACK]);
    assert.deepEqual(
      talk(device, cmd(0x31), addr(0x1ff0_7a00), dataFrame([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
      [ACK, ACK, ACK],
    );
    assert.equal(device.otp().lockBytes[0], 0x00);
  });
});

describe('a provisioning cycle on each new family model', () => {
  for (const family of ['stm32f72x', ...DOUBLE_WORD_FAMILIES] as const) {
    test(`${family}: writes, verifies, locks where it can, and a re-run is already-provisioned`, async () => {
      const profile = getProfile(family);
      const device = new SimulatedDevice({ family, uid: UID });
      const data = new Uint8Array(otpSizeBytes(profile)).fill(0xff);
      data.set([0x53, 0x4e, 0x2d, 0x31], 0);
      data.set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09], profile.blockSizeBytes);
      const locks = profile.lockBaseAddress === null ? [] : [0, 1];
      const target = imageFromRaw(family, data, locks);
      for (const expected of ['provisioned', 'already-provisioned'] as const) {
        const [host, deviceEnd] = createMemoryLink();
        void serveOnTransport(device, deviceEnd);
        const client = new BootloaderClient(host, {
          replyMarginMs: 20,
          programTimePer256BytesMs: 20,
          busyTimeoutMs: 200,
        });
        const result = await runProvisioningCycle(client, { profile, target });
        await host.close();
        assert.equal(result.outcome, expected);
      }
      const state = device.otp();
      assert.deepEqual(state.data, data);
      assert.deepEqual([...state.lockBytes.subarray(0, 3)], locks.length === 0 ? [] : [0x00, 0x00, 0xff]);
      assert.deepEqual(device.damagedBytes(), []);
    });
  }
});
