// The station fixture's probe → cycle hand-off, over a real pty (socat) with the real serialport
// binding against the simulator: the cycle after a probe connects with one Get Version (no second
// 0x7F), the hand-over happens once, and a chip swapped between probe and cycle is never written.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type BootloaderClient,
  type CycleResult,
  type DeviceTransport,
  getProfile,
  type OtpImage,
  runProvisioningCycle,
  SerialTransport,
} from '#ingrain/otp';
import { type ChipPresence } from '../../apps/station/src/worker/fixture/chip-probe.js';
import { Fixture } from '../../apps/station/src/worker/fixture/fixture.js';
import { allBlocks, patternImage } from '../../testkit/otp-images.js';
import { SimulatedDevice, startTestSimulator, type TestSimulator } from '../support/simulator.js';

const BAUD_RATE = 115_200;
const GET = [0x00, 0xff]; // AN3155 §3.1: the cycle's identify phase starts with Get
const SYNC = [0x7f]; // AN3155 §2

/** The serial transport, recording every frame the host writes (each `write` is one frame). */
class RecordingTransport implements DeviceTransport {
  readonly frames: number[][] = [];
  constructor(private readonly inner: DeviceTransport) {}
  get baudRate(): number | undefined {
    return this.inner.baudRate;
  }
  write(bytes: Uint8Array): Promise<void> {
    this.frames.push([...bytes]);
    return this.inner.write(bytes);
  }
  read(lengthBytes: number, timeoutMs: number): Promise<Uint8Array> {
    return this.inner.read(lengthBytes, timeoutMs);
  }
  discardInput(): void {
    this.inner.discardInput();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

class SwapError extends Error {}

/** The cycle as the station's programmer runs it: the UID fence right before the first write. */
function cycle(client: BootloaderClient, chip: ChipPresence, target: OtpImage): Promise<CycleResult> {
  return runProvisioningCycle(client, {
    profile: getProfile(target.family),
    target,
    beforeWrite: (uid) => (uid === chip.uid ? Promise.resolve() : Promise.reject(new SwapError(uid))),
  });
}

const isSync = (frame: readonly number[]): boolean => frame.length === 1 && frame[0] === SYNC[0];

describe('station fixture: probe → cycle hand-off over a pty', () => {
  let sim: TestSimulator;
  let recorder: RecordingTransport | undefined;
  let fixture: Fixture;

  before(async () => {
    sim = await startTestSimulator({ family: 'stm32f4', count: 1, feeder: {} });
    fixture = new Fixture({
      port: sim.devices[0]?.port ?? '',
      baudRate: BAUD_RATE,
      control: { release: () => Promise.resolve() },
      log: { write: () => undefined },
      pollMs: 20,
      openTransport: async (path, baudRate) => {
        recorder = new RecordingTransport(await SerialTransport.open({ path, baudRate }));
        return recorder;
      },
    });
  });
  after(async () => {
    await fixture.close();
    await sim.close();
  });

  /** Frames written from now on, for the caller to read after the work. */
  function framesFrom(): () => number[][] {
    const frames = recorder?.frames ?? [];
    const start = frames.length;
    return () => frames.slice(start);
  }

  test('after a probe the cycle connects with one Get Version and sends no second 0x7F', async () => {
    const handle = sim.devices[0];
    assert.ok(handle);
    const chip = await fixture.look();
    assert.ok(chip);
    assert.equal(chip.uid, handle.uidHex);
    const probeFrames = recorder?.frames ?? [];
    assert.equal(probeFrames.filter(isSync).length, 1, 'the probe sent the one 0x7F of a fresh chip');

    const target = patternImage('stm32f4', allBlocks('stm32f4'));
    const sent = framesFrom();
    const result = await fixture.withClient((client) => cycle(client, chip, target), chip.uid);
    assert.equal(result.outcome, 'provisioned', JSON.stringify(result.error));
    const frames = sent();
    assert.deepEqual(
      frames.slice(
        0,
        frames.findIndex((frame) => frame.join() === GET.join()),
      ),
      [[0x01, 0xfe]],
    );
    assert.equal(frames.filter(isSync).length, 0);
    assert.deepEqual(handle.device.damagedBytes(), []);

    // The hand-over happens once: the next work gets a new client, which starts with the 0x7F.
    const again = framesFrom();
    const rerun = await fixture.withClient((client) => cycle(client, chip, target), chip.uid);
    assert.equal(rerun.outcome, 'already-provisioned');
    assert.deepEqual(again()[0], SYNC);
  });

  test('a chip swapped in between probe and cycle is never written', async () => {
    const first = new SimulatedDevice({ family: 'stm32f4', uid: Uint8Array.from({ length: 12 }, (_, i) => 0x10 + i) });
    sim.feeder?.insert(0, first);
    const chip = await fixture.look();
    assert.ok(chip);
    assert.equal(chip.uid, first.uidHex);

    const swapped = new SimulatedDevice({
      family: 'stm32f4',
      uid: Uint8Array.from({ length: 12 }, (_, i) => 0x40 + i),
    });
    sim.feeder?.insert(0, swapped); // waits for 0x7F, as a newly inserted chip does
    const target = patternImage('stm32f4', allBlocks('stm32f4'), 7);
    const sent = framesFrom();
    const result = await fixture.withClient((client) => cycle(client, chip, target), chip.uid);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.phase, 'connect');
    assert.equal(result.uid, undefined);
    assert.equal(sent().filter(isSync).length, 0, 'the handed-over client never sends 0x7F');

    // The retry (as after any link error) gets a new client: it reaches the new chip, whose UID fails the fence.
    await assert.rejects(
      fixture.withClient((client) => cycle(client, chip, target), chip.uid),
      SwapError,
    );
    for (const device of [first, swapped]) {
      assert.ok(
        device.otp().data.every((byte) => byte === 0xff),
        `chip ${device.uidHex} holds no data`,
      );
      assert.ok(
        device.otp().lockBytes.every((byte) => byte === 0xff),
        `chip ${device.uidHex} is not locked`,
      );
      assert.deepEqual(device.damagedBytes(), []);
    }
  });
});
