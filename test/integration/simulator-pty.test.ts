// The simulator over real ptys with the real serialport binding, driven by a raw AN3155 host:
// a full provisioning-shaped cycle, several devices, persistence across restarts, faults at run time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  HostTimeoutError,
  type RawBootloaderHost,
  SimulatorError,
  openRawHost,
  startSimulator,
  startTestSimulator,
} from '../support/simulator.js';

const ACK = 0x79;
const NACK = 0x1f;
const F4_OTP = 0x1fff_7800;
const F4_LOCK = 0x1fff_7a00;

async function readOtp(host: RawBootloaderHost, address: number, lengthBytes: number): Promise<Uint8Array> {
  const out = new Uint8Array(lengthBytes);
  for (let offset = 0; offset < lengthBytes; offset += 256) {
    out.set(await host.readMemory(address + offset, Math.min(256, lengthBytes - offset)), offset);
  }
  return out;
}

/** Names of this process's child processes (Linux /proc). */
function childCommands(): string[] {
  const pid = process.pid;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  if (children === '') return [];
  return children.split(/\s+/).map((child) => readFileSync(`/proc/${child}/comm`, 'utf8').trim());
}

async function withHost<T>(port: string, body: (host: RawBootloaderHost) => Promise<T>): Promise<T> {
  const host = await openRawHost(port);
  try {
    return await body(host);
  } finally {
    await host.close();
  }
}

describe('simulator over ptys', () => {
  let stateDir: string;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'ingrain-sim-pty-'));
  });
  after(async () => {
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  test('a full F4 cycle with wire timing: blank read, write 512, lock 16, read back', async (t) => {
    const sim = await startTestSimulator({ family: 'stm32f4', count: 1, baudTiming: 115_200 });
    t.after(() => sim.close());
    const { port, device } = sim.devices[0]!;
    const image = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) & 0xff);
    await withHost(port, async (host) => {
      assert.equal(await host.sync(), ACK);
      assert.deepEqual(await host.exchange([0x01, 0xfe], 5), Uint8Array.of(ACK, 0x31, 0, 0, ACK));
      assert.equal((await host.exchange([0x00, 0xff], 15))[1], 0x0b);
      assert.equal(await host.getId(), 0x413);
      assert.deepEqual(await readOtp(host, F4_OTP, 528), new Uint8Array(528).fill(0xff));
      assert.equal(await host.writeMemory(F4_OTP, image.subarray(0, 256)), ACK);
      assert.equal(await host.writeMemory(F4_OTP + 256, image.subarray(256)), ACK);
      assert.equal(await host.writeMemory(F4_LOCK, new Uint8Array(16).fill(0x00)), ACK);
      const readBack = await readOtp(host, F4_OTP, 528);
      assert.deepEqual(readBack.subarray(0, 512), image);
      assert.deepEqual(readBack.subarray(512), new Uint8Array(16));
    });
    assert.deepEqual(device.damagedBytes(), []);
  });

  test('several devices get their own ptys and the given UIDs', async (t) => {
    const uids = ['000102030405060708090a0b', 'ffeeddccbbaa998877665544'];
    const sim = await startTestSimulator({ family: 'stm32f2', count: 3, uids });
    t.after(() => sim.close());
    assert.equal(new Set(sim.devices.map((d) => d.port)).size, 3);
    assert.deepEqual(
      sim.devices.slice(0, 2).map((d) => d.uidHex),
      uids,
    );
    await withHost(sim.devices[1]!.port, async (host) => {
      assert.equal(await host.sync(), ACK);
      assert.equal(await host.getId(), 0x411);
      assert.equal(Buffer.from(await host.readMemory(0x1fff_7a10, 12)).toString('hex'), uids[1]);
    });
  });

  test('a restarted simulator with the same state directory resumes the chips, unsynchronised', async () => {
    const first = await startTestSimulator({ family: 'stm32f4', count: 2, stateDir });
    const uid = first.devices[1]!.uidHex;
    try {
      await withHost(first.devices[1]!.port, async (host) => {
        assert.equal(await host.sync(), ACK);
        assert.equal(await host.writeMemory(F4_OTP + 32, Uint8Array.of(0xca, 0xfe, 0xba, 0xbe)), ACK);
      });
    } finally {
      await first.close();
    }
    const saved = JSON.parse(await readFile(join(stateDir, 'stm32f4-1.json'), 'utf8')) as { dataHex: string };
    assert.equal(saved.dataHex.slice(64, 72), 'cafebabe');

    const second = await startTestSimulator({ family: 'stm32f4', count: 2, stateDir });
    try {
      assert.equal(second.devices[1]!.uidHex, uid);
      await withHost(second.devices[1]!.port, async (host) => {
        assert.equal(await host.sync(), ACK, 'a power cycle leaves the bootloader waiting for 0x7F');
        assert.deepEqual(await host.readMemory(F4_OTP + 32, 4), Uint8Array.of(0xca, 0xfe, 0xba, 0xbe));
      });
    } finally {
      await second.close();
    }
  });

  test('power loss armed at run time stops a write mid-chunk until powerCycle()', async (t) => {
    const sim = await startTestSimulator({ family: 'stm32f4', count: 1 });
    t.after(() => sim.close());
    const { port, device } = sim.devices[0]!;
    await withHost(port, async (host) => {
      assert.equal(await host.sync(), ACK);
      device.setFaults({ powerLossAfterBytes: 10 });
      await assert.rejects(host.writeMemory(F4_OTP, new Uint8Array(16).fill(0x42), 300), HostTimeoutError);
      assert.equal(device.status, 'off');
      host.send([0x7f]);
      assert.deepEqual(await host.drain(100), new Uint8Array(0), 'no answer while off');
      device.powerCycle();
      assert.equal(await host.sync(), ACK);
      const kept = await host.readMemory(F4_OTP, 16);
      assert.deepEqual(kept, Uint8Array.of(...new Array<number>(10).fill(0x42), ...new Array<number>(6).fill(0xff)));
    });
  });

  test('NACK and corrupted-byte faults reach the host over the pty', async (t) => {
    const sim = await startTestSimulator({ family: 'stm32l4', count: 1, faults: { nackCommand: 1 } });
    t.after(() => sim.close());
    const { port, device } = sim.devices[0]!;
    await withHost(port, async (host) => {
      assert.equal(await host.sync(), ACK);
      assert.equal(await host.command(0x02), NACK);
      assert.equal(await host.getId(), 0x435);
      device.setFaults({ corruptTransmittedByte: 1 });
      assert.equal(await host.command(0x11), ACK ^ 0xff);
    });
  });

  test('a start-up failure closes the devices already started and leaves no socat behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingrain-sim-bad-state-'));
    try {
      await writeFile(join(dir, 'stm32f4-2.json'), '{ "formatVersion": 1 }');
      await assert.rejects(startSimulator({ family: 'stm32f4', count: 3, stateDir: dir }), (error: unknown) => {
        return error instanceof SimulatorError && error.code === 'SIM_STATE_INVALID';
      });
      assert.deepEqual(
        childCommands().filter((name) => name === 'socat'),
        [],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
