import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SimulatedDevice } from '#ingrain/simulator';
import { Feeder } from './feeder.js';
import { parseFaultRequest } from './fault-request.js';
import { FixtureSlot } from './fixture-slot.js';
import { RequestWatcher } from './release-watcher.js';

const F4_OTP = 0x1fff_7800;
const PORT = '/dev/pts/9';

function fixture() {
  const slot = new FixtureSlot(0, new SimulatedDevice({ family: 'stm32f4' }), () => undefined, undefined);
  return { port: PORT, slot, newChip: () => new SimulatedDevice({ family: 'stm32f4' }) };
}

/** A Write Memory of `data` at the OTP's start, as frames (sync first). */
function writeFrames(data: number[]): Uint8Array {
  const address = [(F4_OTP >>> 24) & 0xff, (F4_OTP >>> 16) & 0xff, (F4_OTP >>> 8) & 0xff, F4_OTP & 0xff];
  const n = data.length - 1;
  return Uint8Array.from([
    0x7f,
    0x31,
    0xce,
    ...address,
    address.reduce((x, b) => x ^ b, 0),
    n,
    ...data,
    data.reduce((x, b) => x ^ b, n),
  ]);
}

function waitFor(what: string, probe: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (probe()) resolve();
      else if (Date.now() > deadline) reject(new Error(`${what}: not within ${timeoutMs} ms`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('fault requests', () => {
  test('a power cut is armed on the chip in the fixture, fires, is logged, and the power comes back', async () => {
    const lines: string[] = [];
    const a = fixture();
    const feeder = new Feeder([a], { log: (line) => lines.push(line) });
    const chip = a.slot.chip;
    const request = parseFaultRequest(
      JSON.stringify({ formatVersion: 1, port: PORT, plan: { powerLossAfterBytes: 2 }, powerBackAfterMs: 30 }),
    );
    assert.ok(request !== undefined);
    assert.equal(feeder.injectFault(request), 'armed');
    chip.receive(writeFrames([0x01, 0x02, 0x03, 0x04]));
    assert.equal(chip.status, 'off', 'the power failed mid-write');
    assert.deepEqual([...chip.otp().data.subarray(0, 4)], [0x01, 0x02, 0xff, 0xff], 'two bytes were programmed');
    await waitFor('the power back', () => lines.some((line) => line.startsWith('feeder: power back')));
    assert.equal(chip.status, 'awaiting-sync', 'powered again, OTP kept, waiting for 0x7F');
    assert.ok(lines.includes(`feeder: fault fired: powerLossAfterBytes on ${chip.uidHex}`), lines.join('\n'));
  });

  test('a request naming another chip, or an unknown port, is ignored', () => {
    const feeder = new Feeder([fixture()]);
    const plan = { dropReceivedByte: 1 };
    const base = { formatVersion: 1 as const, powerBackAfterMs: 0, plan };
    assert.equal(feeder.injectFault({ ...base, port: '/dev/pts/1', chipUid: null }), 'ignored');
    assert.equal(feeder.injectFault({ ...base, port: PORT, chipUid: 'aa' }), 'ignored');
  });

  test('a second request while the first fault has not fired is ignored (it would replace it unseen)', () => {
    const lines: string[] = [];
    const a = fixture();
    const feeder = new Feeder([a], { log: (line) => lines.push(line) });
    const base = { formatVersion: 1 as const, port: PORT, chipUid: null, powerBackAfterMs: 0 };
    assert.equal(feeder.injectFault({ ...base, plan: { powerLossAfterBytes: 100 } }), 'armed');
    assert.equal(feeder.injectFault({ ...base, plan: { corruptTransmittedByte: 1 } }), 'ignored');
    assert.deepEqual(a.slot.chip.armedFaults(), { powerLossAfterBytes: 100 });
    assert.ok(
      lines.some((line) => line.includes('has not fired yet')),
      lines.join('\n'),
    );
  });

  test('invalid requests are refused: unknown fault, a too long power cut', () => {
    const parse = (value: unknown) => parseFaultRequest(JSON.stringify(value));
    assert.equal(parse({ formatVersion: 1, port: PORT, plan: { meteorStrike: 1 } }), undefined);
    assert.equal(parse({ formatVersion: 1, port: PORT, plan: {}, powerBackAfterMs: 3_600_000 }), undefined);
    assert.deepEqual(parse({ formatVersion: 1, port: PORT, plan: { corruptTransmittedByte: 3 } }), {
      formatVersion: 1,
      port: PORT,
      chipUid: null,
      plan: { corruptTransmittedByte: 3 },
      powerBackAfterMs: 500,
    });
  });

  test('a fault file in the watched directory is armed on the chip (dropped byte fires at the Nth byte)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingrain-fault-watch-'));
    const lines: string[] = [];
    const a = fixture();
    const feeder = new Feeder([a], { log: (line) => lines.push(line) });
    const watcher = new RequestWatcher(dir, parseFaultRequest, (request) => feeder.injectFault(request));
    try {
      await watcher.start();
      await writeFile(
        join(dir, 'f.json'),
        JSON.stringify({ formatVersion: 1, port: PORT, plan: { dropReceivedByte: 1 } }),
      );
      await watcher.scan();
      assert.deepEqual(a.slot.chip.armedFaults(), { dropReceivedByte: 1 });
      a.slot.chip.receive(Uint8Array.of(0x7f));
      assert.equal(a.slot.chip.status, 'awaiting-sync', 'the sync byte was lost on the wire');
      await waitFor('the fired line', () => lines.some((line) => line.includes('fault fired: dropReceivedByte')));
    } finally {
      await watcher.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
