// `bin/ingrain-station` end to end over a real pty against the simulator: program from a layout and
// values, read back with decoded fields (secrets redacted), raw image mode, dry run, and bad input
// that is refused before anything is sent to the chip (a lock of a blank block needs --lock-empty).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../../testkit/paths.js';
import { startTestSimulator, type SimulatedDeviceHandle, type TestSimulator } from '../support/simulator.js';
import { type CliRun, runStation } from '../support/station-cli.js';

function station(args: string[]): Promise<CliRun> {
  return runStation(args, 60_000);
}

const LAYOUT = join(REPO_ROOT, 'examples', 'layouts', 'sensor-node.yaml');
const PAIRING_KEY = '5ec7e75ec7e75ec7e75ec7e75ec7e701';

function snapshot(handle: SimulatedDeviceHandle): string {
  const otp = handle.device.otp();
  return Buffer.from(otp.data).toString('hex') + Buffer.from(otp.lockBytes).toString('hex');
}

describe('ingrain-station CLI', () => {
  let sim: TestSimulator;
  let dir: string;
  let valuesPath: string;
  const device = (index: number): SimulatedDeviceHandle => {
    const handle = sim.devices[index];
    assert.ok(handle);
    return handle;
  };

  before(async () => {
    sim = await startTestSimulator({ family: 'stm32f4', count: 3 });
    dir = await mkdtemp(join(tmpdir(), 'ingrain-station-cli-'));
    const inputs = JSON.parse(
      await readFile(join(REPO_ROOT, 'examples', 'values', 'sensor-node.json'), 'utf8'),
    ) as object;
    // The service fills generated fields; the low-level CLI takes them in the values file.
    const values = { ...inputs, pubkey_hash: 'ab'.repeat(32), pairing_key: PAIRING_KEY };
    valuesPath = join(dir, 'values.json');
    await writeFile(valuesPath, JSON.stringify(values));
  });
  after(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('program --layout --values --json provisions the chip and prints the result object', async () => {
    const result = await station([
      'program',
      '--port',
      device(0).port,
      '--layout',
      LAYOUT,
      '--values',
      valuesPath,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { outcome: string; uid: string; blocksLocked: number; otpData: string };
    assert.equal(json.outcome, 'provisioned');
    assert.equal(json.uid, device(0).uidHex);
    assert.equal(json.blocksLocked, 5);
    assert.ok(!result.stdout.includes(PAIRING_KEY), 'the secret field never reaches stdout');
    assert.ok(json.otpData.includes('**'), 'secret bytes are redacted in the dump');
    const otp = device(0).device.otp();
    assert.deepEqual([...otp.lockBytes.subarray(0, 6)], [0, 0, 0, 0, 0, 0xff]);
    assert.equal(Buffer.from(otp.data.subarray(0, 14)).toString('ascii'), 'SN-2406-000123');
  });

  test('read --layout --json decodes fields and redacts the secret one', async () => {
    const result = await station(['read', '--port', device(0).port, '--layout', LAYOUT, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { fields: { name: string; value: unknown; state: string }[] };
    const field = (name: string): { value: unknown; state: string } | undefined =>
      json.fields.find((f) => f.name === name);
    assert.equal(field('serial')?.value, 'SN-2406-000123');
    assert.equal(field('offset_mv')?.value, -12);
    assert.equal(field('pairing_key')?.value, null);
    assert.ok(!result.stdout.includes(PAIRING_KEY));
  });

  test('the human report names the outcome, bytes, locks and phase times', async () => {
    const result = await station(['program', '--port', device(0).port, '--layout', LAYOUT, '--values', valuesPath]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /already-provisioned/);
    assert.match(result.stdout, /time \(ms\): connect/);
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(PAIRING_KEY));
  });

  test('a missing input is refused with exit 2, naming the field, and nothing reaches the chip', async () => {
    const bad = join(dir, 'bad-values.json');
    const values = JSON.parse(await readFile(valuesPath, 'utf8')) as Record<string, unknown>;
    delete values.serial;
    await writeFile(bad, JSON.stringify(values));
    const result = await station(['program', '--port', device(1).port, '--layout', LAYOUT, '--values', bad]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /serial/);
    assert.equal(device(1).device.status, 'awaiting-sync', 'the chip never saw a byte');
    assert.equal(snapshot(device(1)), 'ff'.repeat(528));
  });

  test('unknown flags and contradicting modes are usage errors (exit 2)', async () => {
    assert.equal((await station(['program', '--port', device(1).port, '--frobnicate'])).code, 2);
    const both = await station([
      'program',
      '--port',
      device(1).port,
      '--layout',
      LAYOUT,
      '--values',
      valuesPath,
      '--image',
      'x.bin',
      '--family',
      'stm32f4',
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --layout/);
    assert.equal(device(1).device.status, 'awaiting-sync');
  });

  test('--image --lock with --dry-run plans only; without it, writes the raw image', async () => {
    const image = Buffer.alloc(512, 0xff);
    image.fill(0x42, 64, 96);
    const imagePath = join(dir, 'otp.bin');
    await writeFile(imagePath, image);
    const common = [
      'program',
      '--port',
      device(2).port,
      '--family',
      'stm32f4',
      '--image',
      imagePath,
      '--lock',
      '2',
      '--json',
    ];
    const planned = await station([...common, '--dry-run']);
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal((JSON.parse(planned.stdout) as { outcome: string }).outcome, 'planned');
    assert.equal(snapshot(device(2)), 'ff'.repeat(528));
    const written = await station(common);
    assert.equal(written.code, 0, written.stderr);
    assert.equal((JSON.parse(written.stdout) as { outcome: string }).outcome, 'provisioned');
    const otp = device(2).device.otp();
    assert.equal(Buffer.from(otp.data).toString('hex'), image.toString('hex'));
    assert.equal(otp.lockBytes[2], 0);
  });

  test('a conflicting image exits 3 and is reported as final', async () => {
    const image = Buffer.alloc(512, 0xff);
    image.fill(0x24, 64, 96);
    const imagePath = join(dir, 'conflict.bin');
    await writeFile(imagePath, image);
    const result = await station([
      'program',
      '--port',
      device(2).port,
      '--family',
      'stm32f4',
      '--image',
      imagePath,
      '--lock',
      '2',
    ]);
    assert.equal(result.code, 3);
    assert.match(result.stdout, /conflict/);
    assert.match(result.stdout, /quarantine/);
  });

  test('--lock of a block the image leaves blank is refused before the port opens; --lock-empty locks it', async () => {
    const image = Buffer.alloc(512, 0xff);
    image.fill(0x5a, 64, 96); // block 2 holds data; block 0 is all 0xFF
    const imagePath = join(dir, 'empty-block-0.bin');
    await writeFile(imagePath, image);
    const common = ['program', '--port', device(1).port, '--family', 'stm32f4', '--image', imagePath, '--lock', '0,2'];
    const refused = await station(common);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--lock: block 0 of .*empty-block-0\.bin holds no data/);
    assert.match(refused.stderr, /--lock-empty/);
    assert.doesNotMatch(refused.stderr, /block 0, 2|blocks/, 'block 2 holds data: only block 0 is named');
    assert.equal(device(1).device.status, 'awaiting-sync', 'the chip never saw a byte');
    assert.equal(snapshot(device(1)), 'ff'.repeat(528), 'nothing written, no lock byte changed');
    // --lock-empty needs --lock; it is no option of read.
    const alone = ['program', '--port', device(1).port, '--family', 'stm32f4', '--image', imagePath, '--lock-empty'];
    assert.equal((await station(alone)).code, 2);
    assert.equal((await station(['read', '--port', device(1).port, '--lock-empty'])).code, 2);

    const locked = await station([...common, '--lock-empty', '--json']);
    assert.equal(locked.code, 0, locked.stderr);
    assert.equal((JSON.parse(locked.stdout) as { outcome: string }).outcome, 'provisioned');
    const otp = device(1).device.otp();
    assert.equal(Buffer.from(otp.data).toString('hex'), image.toString('hex'));
    assert.equal(otp.lockBytes[0], 0, 'the empty block is locked, as asked');
    assert.equal(otp.lockBytes[2], 0);
  });
});
