// Independent host check: the Debian stm32flash 0.7 tool talks to the simulator over a real pty
// (docs/hardware.md §stm32flash: -m 8n1 on a pty, always -S addr:len, never -v). Tests run in order on one chip.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type TestSimulator, startTestSimulator } from '../support/simulator.js';

const F4_OTP = 0x1fff_7800;
const F4_LOCK = 0x1fff_7a00;
const F7_OTP = 0x1ff0_f000;
const hex = (address: number) => `0x${address.toString(16).toUpperCase()}`;

interface ToolRun {
  readonly exitCode: number | null;
  readonly output: string;
}

/** Runs stm32flash against a pty; kills it after 20 s so a hang fails instead of blocking. */
function stm32flash(port: string, ...args: string[]): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('stm32flash', ['-b', '115200', '-m', '8n1', ...args, port], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output });
    });
  });
}

describe('stm32flash 0.7 against the simulator', () => {
  let f4: TestSimulator;
  let f7: TestSimulator;
  let workDir: string;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'ingrain-stm32flash-'));
    [f4, f7] = await Promise.all([
      startTestSimulator({ family: 'stm32f4', count: 1 }),
      startTestSimulator({ family: 'stm32f7', count: 1 }),
    ]);
  });

  after(async () => {
    await Promise.all([f4?.close(), f7?.close()]);
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  const f4Port = () => f4.devices[0]!.port;
  const f4Device = () => f4.devices[0]!.device;

  async function readWithTool(port: string, address: number, lengthBytes: number): Promise<Uint8Array> {
    const file = join(workDir, `read-${address.toString(16)}-${Date.now()}.bin`);
    const run = await stm32flash(port, '-r', file, '-S', `${hex(address)}:${lengthBytes}`);
    assert.equal(run.exitCode, 0, run.output);
    return new Uint8Array(await readFile(file));
  }

  async function writeWithTool(address: number, bytes: Uint8Array): Promise<ToolRun> {
    const file = join(workDir, `write-${address.toString(16)}-${Date.now()}.bin`);
    await writeFile(file, bytes);
    return stm32flash(f4Port(), '-w', file, '-S', `${hex(address)}:${bytes.length}`);
  }

  test('identifies an F4 and reads the blank 528-byte OTP region as 0xFF', async () => {
    const file = join(workDir, 'blank.bin');
    const run = await stm32flash(f4Port(), '-r', file, '-S', `${hex(F4_OTP)}:528`);
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /Version\s+: 0x31/);
    assert.match(run.output, /Device ID\s+: 0x0413/);
    assert.deepEqual(new Uint8Array(await readFile(file)), new Uint8Array(528).fill(0xff));
  });

  const block0 = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xfe);

  test('writes a file into OTP block 0 and reads it back', async () => {
    const run = await writeWithTool(F4_OTP, block0);
    assert.equal(run.exitCode, 0, run.output);
    assert.deepEqual(await readWithTool(f4Port(), F4_OTP, 32), block0);
    assert.deepEqual(f4Device().otp().data.subarray(0, 32), block0);
    assert.deepEqual(f4Device().damagedBytes(), []);
  });

  test('writes the lock word for block 0 only', async () => {
    const run = await writeWithTool(F4_LOCK, Uint8Array.of(0x00, 0xff, 0xff, 0xff));
    assert.equal(run.exitCode, 0, run.output);
    const lockBytes = await readWithTool(f4Port(), F4_LOCK, 16);
    assert.deepEqual(lockBytes, Uint8Array.of(0x00, ...new Array<number>(15).fill(0xff)));
  });

  test('a write of different data into locked block 0 leaves it unchanged', async () => {
    // The simulator ACKs writes into locked blocks by default (docs/hardware.md §cmd-write-memory: unconfirmed), so
    // stm32flash may report success: only the read-back tells.
    await writeWithTool(F4_OTP, new Uint8Array(32).fill(0x00));
    assert.deepEqual(await readWithTool(f4Port(), F4_OTP, 32), block0);
    assert.deepEqual(f4Device().damagedBytes(), []);
  });

  test('identifies an F7 and reads its blank OTP data and lock bytes', async () => {
    const file = join(workDir, 'f7.bin');
    const run = await stm32flash(f7.devices[0]!.port, '-r', file, '-S', `${hex(F7_OTP)}:1040`);
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /Device ID\s+: 0x0451/);
    assert.deepEqual(new Uint8Array(await readFile(file)), new Uint8Array(1040).fill(0xff));
  });
});
