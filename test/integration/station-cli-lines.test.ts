// `ingrain-station program`, `read` and `doctor` with the fixture's lines (issue 10 items 1 and 7):
// bin/ingrain-station over real ptys against the simulator with its line-control sockets standing
// in for DTR and RTS. Every simulated chip powers up running its application (BOOT0 low), silent
// to 0x7F: only the entry sequence (BOOT0 high, NRST pulse) brings up its bootloader.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestSimulator, type SimulatedDeviceHandle, type TestSimulator } from '../support/simulator.js';
import { type CliRun, runStation } from '../support/station-cli.js';

const station = (args: string[]): Promise<CliRun> => runStation(args, 60_000);
const BANNER = 'sensor-node app 1.0\r\n';
// The simulator's default board: DTR asserted → BOOT0 high, RTS asserted → NRST low (docs/fixtures.md).
const GOOD = 'dtr&rts,-rts:-dtr&rts,-rts';
/** Pulses NRST but never raises BOOT0: the chip restarts into its application. */
const NO_BOOT0 = 'rts,-rts:-dtr&rts,-rts';
/** Enters fine, but the exit keeps BOOT0 high: the chip restarts into its bootloader. */
const EXIT_KEEPS_BOOT0 = 'dtr&rts,-rts:rts,-rts';

interface SequencesJson {
  status: string;
  sequence?: string;
  entry?: { steps: string[]; bootloaderAnswered: boolean };
  exit?: { steps: string[]; bootloaderSilent: boolean; applicationOutput: string | null } | null;
  reason?: string | null;
}

function snapshot(handle: SimulatedDeviceHandle): string {
  const otp = handle.device.otp();
  return Buffer.from(otp.data).toString('hex') + Buffer.from(otp.lockBytes).toString('hex');
}

describe('ingrain-station with --lines (BOOT0/NRST through the fixture)', () => {
  let sim: TestSimulator;
  let dir: string;
  let imagePath: string;
  const device = (index: number): SimulatedDeviceHandle => {
    const handle = sim.devices[index];
    assert.ok(handle?.lineControl !== undefined);
    return handle;
  };
  const lineFlags = (index: number, sequence: string): string[] => [
    '--port',
    device(index).port,
    '--lines',
    sequence,
    '--sim-control',
    device(index).lineControl ?? '',
  ];
  const program = (index: number, extra: string[]): Promise<CliRun> =>
    station(['program', '--family', 'stm32f4', '--image', imagePath, '--lock', '0', ...extra]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-cli-lines-'));
    sim = await startTestSimulator({ family: 'stm32f4', count: 7, lineControl: { dir, banner: BANNER } });
    imagePath = join(dir, 'image.bin');
    const image = Buffer.alloc(512, 0xff);
    image.fill(0x5a, 0, 32); // block 0
    await writeFile(imagePath, image);
    device(3).device.preload('data', 0, [0x01]); // a conflict with the image's 0x5A
  });
  after(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('program without --lines on a chip running its application: no sync, exit 6, nothing written', async () => {
    assert.equal(device(0).device.status, 'application');
    const before = snapshot(device(0));
    const run = await program(0, ['--port', device(0).port]);
    assert.equal(run.code, 6, run.stdout + run.stderr);
    assert.match(run.stdout + run.stderr, /BOOTLOADER_SYNC_FAILED/);
    assert.equal(snapshot(device(0)), before);
    assert.equal(device(0).device.status, 'application');
  });

  test('program with --lines on the same chip: reset into its bootloader, provisioned, locked, application started', async () => {
    const run = await program(0, lineFlags(0, GOOD));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /application started \(exit sequence\)/);
    const otp = device(0).device.otp();
    assert.deepEqual([...otp.data.subarray(0, 32)], new Array<number>(32).fill(0x5a));
    assert.equal(otp.lockBytes[0], 0x00);
    assert.equal(device(0).device.status, 'application');
  });

  test('program --json --start go: the application is started with Go; applicationStart says so', async () => {
    const run = await program(1, [...lineFlags(1, GOOD), '--start', 'go', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { outcome: string; applicationStart: unknown };
    assert.equal(json.outcome, 'provisioned');
    assert.deepEqual(json.applicationStart, { how: 'go', started: true, reason: null });
    assert.equal(device(1).device.status, 'application');
  });

  test('program on a conflicting chip with --lines: exit 3, the chip is NOT started (left in its bootloader)', async () => {
    const before = snapshot(device(3));
    const run = await program(3, [...lineFlags(3, GOOD), '--json']);
    assert.equal(run.code, 3, run.stderr);
    const json = JSON.parse(run.stdout) as { outcome: string; applicationStart: { started: boolean; reason: string } };
    assert.equal(json.outcome, 'conflict');
    assert.equal(json.applicationStart.started, false);
    assert.match(json.applicationStart.reason, /outcome conflict/);
    assert.match(device(3).device.status, /^(ready|awaiting-sync)$/, 'in its bootloader');
    assert.equal(snapshot(device(3)), before);
  });

  test('read with --lines: reads a chip running its application, then the exit sequence starts it again', async () => {
    const run = await station(['read', ...lineFlags(2, GOOD), '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { uid: string }).uid, device(2).uidHex);
    assert.equal(device(2).device.status, 'application');
  });

  test('doctor with a good sequence: entry brings up the bootloader, exit leaves it silent, the banner is seen', async () => {
    const run = await station(['doctor', ...lineFlags(4, GOOD), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      formatVersion: number;
      verdict: string;
      fixtureSequences: SequencesJson;
    };
    assert.equal(report.formatVersion, 2);
    assert.equal(report.verdict, 'ready');
    assert.deepEqual(report.fixtureSequences, {
      status: 'passed',
      sequence: GOOD,
      entry: { steps: ['dtr', 'rts', 'wait 100 ms', '-rts'], bootloaderAnswered: true },
      exit: {
        steps: ['-dtr', 'rts', 'wait 100 ms', '-rts'],
        bootloaderSilent: true,
        applicationOutput: 'sensor-node app 1.0',
      },
      reason: null,
    });
    assert.equal(device(4).device.status, 'application');
    const human = await station(['doctor', ...lineFlags(4, GOOD)]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /entry\/exit sequences passed: dtr&rts,-rts:-dtr&rts,-rts/);
    assert.match(human.stdout, /entry {5}dtr, rts, wait 100 ms, -rts → bootloader answered/);
    assert.match(human.stdout, /exit {6}-dtr, rts, wait 100 ms, -rts → bootloader silent \(application runs\)/);
    assert.match(human.stdout, /app said {2}"sensor-node app 1.0"/);
  });

  test('doctor with a sequence that never raises BOOT0: failed, no bootloader, exit 6, the reason named', async () => {
    const run = await station(['doctor', ...lineFlags(5, NO_BOOT0), '--json']);
    assert.equal(run.code, 6, run.stderr);
    const report = JSON.parse(run.stdout) as { verdict: string; fixtureSequences: SequencesJson };
    assert.equal(report.verdict, 'no-bootloader');
    assert.equal(report.fixtureSequences.status, 'failed');
    assert.deepEqual(report.fixtureSequences.entry, {
      steps: ['rts', 'wait 100 ms', '-rts'],
      bootloaderAnswered: false,
    });
    assert.equal(report.fixtureSequences.exit, null);
    assert.match(
      report.fixtureSequences.reason ?? '',
      /no bootloader answered 0x7F after the entry sequence: it must raise BOOT0/,
    );
    const human = await station(['doctor', ...lineFlags(5, NO_BOOT0)]);
    assert.equal(human.code, 6);
    assert.match(human.stdout, /entry\/exit sequences failed/);
    assert.match(human.stdout, /reason {4}no bootloader answered 0x7F/);
  });

  test('doctor with an exit sequence that keeps BOOT0 high: the bootloader still answers, failed, exit 8', async () => {
    const run = await station(['doctor', ...lineFlags(6, EXIT_KEEPS_BOOT0), '--json']);
    assert.equal(run.code, 8, run.stderr);
    const report = JSON.parse(run.stdout) as { verdict: string; fixtureSequences: SequencesJson };
    assert.equal(report.verdict, 'ready');
    assert.equal(report.fixtureSequences.status, 'failed');
    assert.equal(report.fixtureSequences.entry?.bootloaderAnswered, true);
    assert.equal(report.fixtureSequences.exit?.bootloaderSilent, false);
    assert.match(report.fixtureSequences.reason ?? '', /still answers 0x7F after the exit sequence/);
    assert.match(device(6).device.status, /^(ready|awaiting-sync)$/, 'in its bootloader');
  });

  test('a bad sequence is exit 2 naming the character, for program, read and doctor; nothing is driven or sent', async () => {
    const before = snapshot(device(5));
    for (const command of [['program', '--family', 'stm32f4', '--image', imagePath], ['read'], ['doctor']]) {
      const run = await station([...command, ...lineFlags(5, 'dtr&rts,-rst')]);
      assert.equal(run.code, 2, `${command[0]}: ${run.stderr}`);
      assert.match(run.stderr, /--lines: line sequence, character 10: "r" is not a signal/);
    }
    assert.equal(snapshot(device(5)), before);
    assert.equal(device(5).device.status, 'application', 'the lines were never driven (no reset)');
    const unreachable = await station([
      'doctor',
      '--port',
      device(5).port,
      '--lines',
      GOOD,
      '--sim-control',
      join(dir, 'none.sock'),
    ]);
    assert.equal(unreachable.code, 8, 'a line that cannot be driven is configuration');
    assert.match(unreachable.stderr, /LINE_DRIVER_FAILED: cannot reach the simulator's line control/);
    const noLines = await station(['read', '--port', device(5).port, '--sim-control', '/tmp/x.sock']);
    assert.equal(noLines.code, 2);
    assert.match(noLines.stderr, /--sim-control needs --lines/);
    const noExit = await station([
      'program',
      '--family',
      'stm32f4',
      '--image',
      imagePath,
      ...lineFlags(5, 'dtr&rts,-rts'),
      '--start',
      'exit',
    ]);
    assert.equal(noExit.code, 2);
    assert.match(noExit.stderr, /--start exit needs --lines with an exit sequence/);
  });
});
