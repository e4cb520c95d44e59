// BOOT0 and NRST through fixture lines, end to end below the station: the simulator over a real pty
// (serialport binding) with its line-control socket, driven by the library's FixtureLines exactly
// as the station and the CLI drive a real fixture. Issue 10 items 1 and 2.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  BootloaderClient,
  FLASH_BASE_ADDRESS,
  type FixtureLines,
  openFixtureLines,
  parseLineSequences,
  SerialTransport,
  SimLineDriver,
} from '#ingrain/otp';
import { startSimulator, type Simulator } from '../../apps/simulator/src/index.js';

const BANNER = 'sensor-node app 1.0\r\n';
// The default simulated board: DTR asserted → BOOT0 high, RTS asserted → NRST low (docs/fixtures.md).
const SEQUENCE = 'dtr&rts,-rts:-dtr&rts,-rts';

/** Reads what arrives within `ms` (the host's queue is drained by the timeout). */
async function heard(transport: SerialTransport, ms: number): Promise<string> {
  try {
    await transport.read(4096, ms);
    return '(more than 4096 bytes)';
  } catch (error) {
    const received = (error as { received?: Uint8Array }).received ?? new Uint8Array(0);
    return Buffer.from(received).toString('latin1');
  }
}

describe('fixture lines to a simulated chip with BOOT0/NRST', () => {
  let dir: string;
  let sim: Simulator;
  let transport: SerialTransport;
  let lines: FixtureLines;
  let status: SimLineDriver;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-lines-'));
    sim = await startSimulator({ family: 'stm32f4', lineControl: { dir, banner: BANNER } });
    const [device] = sim.devices;
    assert.ok(device?.lineControl !== undefined);
    transport = await SerialTransport.open({ path: device.port, baudRate: 115200 });
    status = await SimLineDriver.connect(device.lineControl, { asPortOpen: false });
  });
  after(async () => {
    await lines?.close();
    await status?.close();
    await transport?.close();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a chip powered with BOOT0 low runs its application: 0x7F gets no ACK (no reset, no bootloader)', async () => {
    assert.equal(sim.devices[0]?.device.status, 'application');
    const client = new BootloaderClient(transport, { replyMarginMs: 20, maxResyncAttempts: 1 });
    await assert.rejects(client.connect(), { code: 'BOOTLOADER_SYNC_FAILED' });
  });

  test('opening the lines (DTR/RTS raised, as Linux does) then settling them restarts the application', async () => {
    transport.discardInput();
    lines = await openFixtureLines({
      sequences: parseLineSequences(SEQUENCE),
      port: transport,
      simControl: sim.devices[0]?.lineControl,
    });
    assert.deepEqual(lines.modemLines, { dtr: false, rts: false });
    assert.equal(await heard(transport, 200), BANNER);
  });

  test('the entry sequence resets the chip into its bootloader: a fresh 0x7F sync', async () => {
    await lines.enterBootloader();
    assert.deepEqual(await status.status(), { mode: 'bootloader', boot0High: true, resetAsserted: false });
    const client = new BootloaderClient(transport, { replyMarginMs: 20 });
    // 'fresh', or 'resynchronised' when the ACK came after the second 0x7F (a loaded machine).
    assert.match(await client.connect({ afterReset: true }), /^(fresh|resynchronised)$/);
    assert.equal(await client.getId(), 0x413);
  });

  test('the exit sequence starts the application (banner), which never answers the bootloader protocol', async () => {
    transport.discardInput();
    await lines.exitBootloader();
    assert.equal((await status.status()).mode, 'application');
    assert.equal(await heard(transport, 200), BANNER);
  });

  test('Go (0x21) to main flash starts the application too', async () => {
    await lines.enterBootloader();
    const client = new BootloaderClient(transport, { replyMarginMs: 20 });
    await client.connect({ afterReset: true });
    transport.discardInput();
    await client.go(FLASH_BASE_ADDRESS);
    assert.equal(await heard(transport, 200), BANNER);
    assert.equal((await status.status()).mode, 'application');
  });
});
