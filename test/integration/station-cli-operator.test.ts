// The operator's side of `bin/ingrain-station` over real ptys (simulator, real serialport binding):
// --help on every command and --version; a port that cannot be opened is named with the system's
// reason (no such port, permission with the dialout hint, busy with the holder's pid and command)
// and exits 8 (configuration), not 6 (link error); a conflict is reported by layout field; --dry-run
// prints the plan and leaves the chip exactly as it was.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { SerialTransport } from '#ingrain/otp';
import { binPath, REPO_ROOT } from '../../testkit/paths.js';
import { startTestSimulator, type SimulatedDeviceHandle, type TestSimulator } from '../support/simulator.js';
import { type CliRun, runStation } from '../support/station-cli.js';

const station = (args: string[]): Promise<CliRun> => runStation(args, 60_000);
const LAYOUT = join(REPO_ROOT, 'examples', 'layouts', 'sensor-node.yaml');
const PAIRING_KEY = '5ec7e75ec7e75ec7e75ec7e75ec7e701';
const CONFIGURATION_EXIT = 8;

function snapshot(handle: SimulatedDeviceHandle): string {
  const otp = handle.device.otp();
  return Buffer.from(otp.data).toString('hex') + Buffer.from(otp.lockBytes).toString('hex');
}

describe('ingrain-station for the operator', () => {
  let sim: TestSimulator;
  let dir: string;
  let valuesPath: string;
  let otherSerialPath: string;
  const device = (index: number): SimulatedDeviceHandle => {
    const handle = sim.devices[index];
    assert.ok(handle);
    return handle;
  };

  before(async () => {
    sim = await startTestSimulator({ family: 'stm32f4', count: 3 });
    dir = await mkdtemp(join(tmpdir(), 'ingrain-station-operator-'));
    const inputs = JSON.parse(
      await readFile(join(REPO_ROOT, 'examples', 'values', 'sensor-node.json'), 'utf8'),
    ) as object;
    const values = { ...inputs, pubkey_hash: 'ab'.repeat(32), pairing_key: PAIRING_KEY };
    valuesPath = join(dir, 'values.json');
    await writeFile(valuesPath, JSON.stringify(values));
    otherSerialPath = join(dir, 'other-serial.json');
    await writeFile(otherSerialPath, JSON.stringify({ ...values, serial: 'SN-2406-000999' }));
  });
  after(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('--help on every command prints its usage and exits 0 without touching the chip; --version', async () => {
    for (const command of ['program', 'read', 'worker', 'keygen']) {
      const result = await station([command, '--port', device(1).port, '--help']);
      assert.equal(result.code, 0, `${command}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`ingrain-station ${command}`), command);
    }
    const short = await station(['program', '-h']);
    assert.equal(short.code, 0);
    assert.match(short.stdout, /--dry-run/);
    assert.match(short.stdout, /8 the port cannot be opened/);
    const overview = await station(['--help']);
    assert.equal(overview.code, 0);
    for (const command of ['program', 'read', 'worker', 'keygen'])
      assert.match(overview.stdout, new RegExp(`  ${command} `));
    assert.equal((await station(['help', 'read'])).stdout.startsWith('ingrain-station read'), true);
    const version = await station(['--version']);
    assert.equal(version.code, 0);
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), `ingrain-station ${manifest.version}`);
    assert.equal(device(1).device.status, 'awaiting-sync', 'no help call sent a byte');
  });

  test('no such port: exit 8, ENOENT named, what to do', async () => {
    const missing = join(dir, 'ttyUSB9');
    const result = await station(['read', '--port', missing]);
    assert.equal(result.code, CONFIGURATION_EXIT, result.stderr);
    assert.match(result.stderr, /TRANSPORT_PORT_NOT_FOUND: cannot open serial port .*ttyUSB9: no such port \(ENOENT\)/);
    assert.match(result.stderr, /what to do: check --port/);
    assert.doesNotMatch(result.stderr, /run the same command again/);
  });

  test('busy port: exit 8, the holder named by pid and command; the chip is untouched', async () => {
    const holder = await SerialTransport.open({ path: device(1).port, baudRate: 115_200 });
    try {
      const result = await station(['program', '--port', device(1).port, '--layout', LAYOUT, '--values', valuesPath]);
      assert.equal(result.code, CONFIGURATION_EXIT, result.stderr);
      assert.match(result.stderr, /TRANSPORT_PORT_BUSY: cannot open serial port .*: busy \(EAGAIN\)/);
      assert.match(result.stderr, new RegExp(`held by pid ${process.pid} \\(\\S*node`));
      assert.match(result.stderr, /what to do: stop the process holding the port/);
    } finally {
      await holder.close();
    }
    assert.equal(snapshot(device(1)), 'ff'.repeat(528));
  });

  test('no permission: exit 8, EACCES with the port’s owner and the dialout hint', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to run the CLI as another user');
      return;
    }
    const run = promisify(execFile);
    const asNobody = { uid: 65_534, gid: 65_534 }; // nobody: the simulator's pty is root's, mode 0600
    // nobody must be able to load the CLI: a checkout under a private directory (mktemp -d is 0700)
    // cannot be run as another user, whatever the port.
    const readable = await run(
      process.execPath,
      ['-e', `require('fs').accessSync(${JSON.stringify(binPath('ingrain-station'))})`],
      asNobody,
    ).then(
      () => true,
      () => false,
    );
    if (!readable) {
      t.skip('this checkout is not readable by the user nobody (a parent directory is private)');
      return;
    }
    const result = await run(process.execPath, [binPath('ingrain-station'), 'read', '--port', device(1).port], {
      ...asNobody,
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    assert.equal(result.code, CONFIGURATION_EXIT, result.stderr);
    assert.match(
      result.stderr,
      /TRANSPORT_PORT_PERMISSION_DENIED: .*permission denied \(EACCES\); the port is root:\S+, mode 0\d+/,
    );
    assert.match(result.stderr, /dialout/);
  });

  test('--dry-run prints what would be written where and which blocks locked, and writes nothing', async () => {
    const before = snapshot(device(0));
    const planned = await station([
      'program',
      '--port',
      device(0).port,
      '--layout',
      LAYOUT,
      '--values',
      valuesPath,
      '--dry-run',
    ]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /planned/);
    assert.match(planned.stdout, /plan \(nothing was written\)/);
    assert.match(planned.stdout, /write 0x1FFF7800–0x1FFF782F \(48 B, \d+ to program\): serial, /);
    assert.match(planned.stdout, /pairing_key/, 'secret fields are named');
    assert.match(planned.stdout, /then lock block\(s\) 0, 1, 2, 3, 4: 0x1FFF7A00/);
    assert.doesNotMatch(planned.stdout + planned.stderr, new RegExp(PAIRING_KEY), 'never their values');
    const json = await station([
      'program',
      '--port',
      device(0).port,
      '--layout',
      LAYOUT,
      '--values',
      valuesPath,
      '--dry-run',
      '--json',
    ]);
    const plan = (
      JSON.parse(json.stdout) as { plannedWrites: { writes: { address: number }[]; blocksToLock: number[] } }
    ).plannedWrites;
    assert.deepEqual(
      plan.writes.map((w) => w.address),
      [0x1fff7800, 0x1fff7840],
    );
    assert.deepEqual(plan.blocksToLock, [0, 1, 2, 3, 4]);
    assert.equal(snapshot(device(0)), before, 'the chip holds exactly what it held before');
    assert.equal(before, 'ff'.repeat(528));
  });

  test('a conflict is reported by layout field, with the chip’s and the target’s values', async () => {
    const first = await station(['program', '--port', device(2).port, '--layout', LAYOUT, '--values', valuesPath]);
    assert.equal(first.code, 0, first.stderr);
    const held = snapshot(device(2));
    const result = await station([
      'program',
      '--port',
      device(2).port,
      '--layout',
      LAYOUT,
      '--values',
      otherSerialPath,
    ]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stdout,
      /serial: chip holds "SN-2406-000123", target "SN-2406-000999" \(block 0, 3 byte\(s\) conflict\)/,
    );
    assert.doesNotMatch(result.stdout, /block 0 byte \d+: holds/, 'no byte lines where the layout names the field');
    const json = await station([
      'program',
      '--port',
      device(2).port,
      '--layout',
      LAYOUT,
      '--values',
      otherSerialPath,
      '--json',
    ]);
    const parsed = JSON.parse(json.stdout) as { fieldConflicts: { fields: { field: string }[] } };
    assert.deepEqual(
      parsed.fieldConflicts.fields.map((f) => f.field),
      ['serial'],
    );
    assert.equal(snapshot(device(2)), held, 'nothing was written');
  });
});
