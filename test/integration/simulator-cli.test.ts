// bin/ingrain-sim as a process: JSON lines on stdout, a working device, clean exit on SIGTERM with
// its socat children gone, and usage errors that name the flag.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { binPath } from '../../testkit/paths.js';
import { openRawHost } from '../support/simulator.js';

const ACK = 0x79;
const NACK = 0x1f;

function runSim(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [binPath('ingrain-sim'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Child pids of a process (Linux /proc), to prove socat is gone after shutdown. */
function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}

async function readJsonLines(child: ChildProcessWithoutNullStreams, count: number): Promise<unknown[]> {
  const lines: unknown[] = [];
  const reader = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  for await (const line of reader) {
    lines.push(JSON.parse(line));
    if (lines.length === count) break;
  }
  clearTimeout(timer);
  return lines;
}

describe('ingrain-sim CLI', () => {
  let stateDir: string;
  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'ingrain-sim-cli-'));
  });
  after(async () => {
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  test('prints one JSON line per device, serves them, and cleans up on SIGTERM', async (t) => {
    const child = runSim(['--family', 'stm32f2', '--count', '2', '--state-dir', stateDir, '--fault', 'nack-command=2']);
    t.after(() => child.kill('SIGTERM')); // SIGTERM, not SIGKILL: lets it stop its socats
    const lines = (await readJsonLines(child, 2)) as { port: string; family: string; uid: string }[];
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.equal(line.family, 'stm32f2');
      assert.match(line.uid, /^[0-9a-f]{24}$/);
      assert.match(line.port, /^\/dev\/pts\/\d+$/);
    }
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const host = await openRawHost(lines[0]!.port);
    try {
      assert.equal(await host.sync(), ACK);
      assert.equal(await host.getId(), 0x411);
      assert.equal(await host.command(0x01), NACK, 'the second command is NACKed by the fault');
      child.kill('SIGUSR1');
      while (!stderr.includes('SIGUSR1: power-cycled')) await once(child.stderr, 'data');
      assert.equal(await host.sync(), ACK, 'power-cycled: 0x7F is a sync byte again');
    } finally {
      await host.close();
    }
    assert.deepEqual((await readdir(stateDir)).sort(), ['stm32f2-0.json', 'stm32f2-1.json']);

    const socats = childPids(child.pid!);
    assert.equal(socats.length, 2, 'one socat per device');
    child.kill('SIGTERM');
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    assert.equal(exitCode, 0);
    for (const pid of socats) assert.equal(existsSync(`/proc/${pid}`), false, `socat ${pid} still running`);
  });

  test('a bad flag exits with status 2 and names the flag', async () => {
    const child = runSim(['--family', 'stm32f4', '--count', 'many']);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    assert.equal(exitCode, 2);
    assert.match(stderr, /SIM_CLI_USAGE: --count/);
  });
});
