// `ingrain-station doctor` and protected chips, end to end: bin/ingrain-station over real ptys
// against the simulator (issue 10 items 3 and 7). Doctor is read-only: every chip's OTP is the
// same after it as before. A readout-protected chip is exit 7 for program, read and doctor, with a
// message that says it is final; nothing is written to it.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestSimulator, type SimulatedDeviceHandle, type TestSimulator } from '../support/simulator.js';
import { type CliRun, runStation } from '../support/station-cli.js';

const station = (args: string[]): Promise<CliRun> => runStation(args, 60_000);

function snapshot(handle: SimulatedDeviceHandle): string {
  const otp = handle.device.otp();
  return Buffer.from(otp.data).toString('hex') + Buffer.from(otp.lockBytes).toString('hex');
}

interface DoctorJson {
  formatVersion: number;
  verdict: string;
  port: string;
  line: { baudRate: number; frame: string };
  fixtureSequences: { status: string };
  bootloader: { sync: string | null; version: string | null; commands: { opcode: string; name: string }[] };
  chip: { productId: string | null; family: string | null; uid: string | null; flashSizeKb: number | null };
  protection: string;
  otp: { blocks: { block: number; state: string; programmedBytes: number; lock: string | null }[] } | null;
  problem: { code: string } | null;
}

describe('ingrain-station doctor and protected chips', () => {
  let sim: TestSimulator;
  let dir: string;
  const FRESH = 0;
  const PARTLY = 1;
  const LOCKED = 2;
  const PROTECTED = 3;
  const SILENT = 4;
  const device = (index: number): SimulatedDeviceHandle => {
    const handle = sim.devices[index];
    assert.ok(handle);
    return handle;
  };
  const doctorJson = async (index: number): Promise<{ run: CliRun; report: DoctorJson }> => {
    const before = snapshot(device(index));
    const run = await station(['doctor', '--port', device(index).port, '--json']);
    assert.equal(snapshot(device(index)), before, 'doctor wrote nothing');
    return { run, report: JSON.parse(run.stdout) as DoctorJson };
  };

  before(async () => {
    sim = await startTestSimulator({ family: 'stm32f4', count: 5 });
    dir = await mkdtemp(join(tmpdir(), 'ingrain-station-doctor-'));
    device(PARTLY).device.preload('data', 0, [0x01, 0x02, 0x03, 0x04]); // block 0: 4 of 32 bytes
    device(LOCKED).device.preload('data', 0, new Array<number>(32).fill(0x5a)); // block 0 full…
    device(LOCKED).device.preload('lock', 0, [0x00]); // …and locked
    device(PROTECTED).device.setReadoutProtection('level-1');
    device(SILENT).device.setReadoutProtection('bootloader-disabled');
  });
  after(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('doctor --json on a fresh chip: bootloader, PID, UID, flash size, protection, 16 blank open blocks', async () => {
    const { run, report } = await doctorJson(FRESH);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.formatVersion, 2);
    assert.equal(report.verdict, 'ready');
    assert.deepEqual(report.line, { baudRate: 115200, frame: '8E1' });
    assert.deepEqual(report.fixtureSequences, { status: 'not-configured' });
    assert.equal(report.bootloader.version, '3.1');
    assert.ok(report.bootloader.commands.some((c) => c.opcode === '0x82' && c.name === 'Readout Protect'));
    assert.equal(report.chip.productId, '0x413');
    assert.equal(report.chip.family, 'stm32f4');
    assert.equal(report.chip.uid, device(FRESH).uidHex);
    assert.equal(report.chip.flashSizeKb, 1024);
    assert.equal(report.protection, 'none');
    assert.equal(report.otp?.blocks.length, 16);
    assert.ok(report.otp?.blocks.every((b) => b.state === 'blank' && b.lock === 'open' && b.programmedBytes === 0));
    assert.equal(report.problem, null);
  });

  test('doctor tells a partly written block from a full locked one', async () => {
    const partly = (await doctorJson(PARTLY)).report;
    assert.deepEqual(partly.otp?.blocks[0], { block: 0, state: 'partly-written', programmedBytes: 4, lock: 'open' });
    assert.equal(partly.otp?.blocks[1]?.state, 'blank');
    const locked = (await doctorJson(LOCKED)).report;
    assert.deepEqual(locked.otp?.blocks[0], { block: 0, state: 'full', programmedBytes: 32, lock: 'locked' });
    assert.equal(locked.otp?.blocks[1]?.lock, 'open');
  });

  test('doctor on a protected chip: exit 7, PID known, protection readout-protected, no UID, no OTP', async () => {
    const { run, report } = await doctorJson(PROTECTED);
    assert.equal(run.code, 7);
    assert.equal(report.verdict, 'protected');
    assert.equal(report.protection, 'readout-protected');
    assert.equal(report.chip.productId, '0x413');
    assert.equal(report.chip.uid, null);
    assert.equal(report.otp, null);
    assert.equal(report.problem?.code, 'CHIP_READOUT_PROTECTED');
    const human = await station(['doctor', '--port', device(PROTECTED).port]);
    assert.equal(human.code, 7);
    assert.match(human.stdout, /protection {2}readout-protected/);
    assert.match(human.stdout, /Put the chip in quarantine; do not retry/);
  });

  test('doctor on a chip whose bootloader is disabled: no-bootloader, exit 6, the causes named', async () => {
    const startMs = performance.now();
    const human = await station(['doctor', '--port', device(SILENT).port]);
    assert.equal(human.code, 6);
    assert.match(human.stdout, /no-bootloader/);
    assert.match(human.stdout, /bootloader disabled \(RDP level 2\)/);
    assert.ok(performance.now() - startMs < 20_000, 'a silent port is reported within seconds');
  });

  test('human doctor output lists the block states', async () => {
    const run = await station(['doctor', '--port', device(LOCKED).port]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /PID 0x413/);
    assert.match(run.stdout, /block {2}0 {2}full +32 B {2}locked/);
    assert.match(run.stdout, /block {2}1 {2}blank +0 B {2}open/);
  });

  test('program on a protected chip: exit 7, "protected", final advice, nothing written', async () => {
    const imagePath = join(dir, 'image.bin');
    await writeFile(imagePath, Buffer.alloc(512, 0x5a));
    const before = snapshot(device(PROTECTED));
    const run = await station([
      'program',
      '--port',
      device(PROTECTED).port,
      '--family',
      'stm32f4',
      '--image',
      imagePath,
      '--lock',
      '0',
    ]);
    assert.equal(run.code, 7, run.stderr);
    assert.match(run.stdout, /✘ protected/);
    assert.match(run.stdout, /CHIP_READOUT_PROTECTED/);
    assert.match(run.stdout, /running again changes nothing/);
    assert.doesNotMatch(run.stdout, /run the same command again/);
    assert.equal(snapshot(device(PROTECTED)), before);
    const json = await station([
      'program',
      '--port',
      device(PROTECTED).port,
      '--family',
      'stm32f4',
      '--image',
      imagePath,
      '--json',
    ]);
    assert.equal(json.code, 7);
    assert.equal((JSON.parse(json.stdout) as { outcome: string }).outcome, 'protected');
  });

  test('read on a protected chip: exit 7 and the code, not "link error"', async () => {
    const run = await station(['read', '--port', device(PROTECTED).port]);
    assert.equal(run.code, 7);
    assert.match(run.stderr, /CHIP_READOUT_PROTECTED/);
  });
});
