// `bin/ingrain-station worker` as a real process (compiled dist/) against the simulator's ptys, real
// Redis and the fake API: SIGTERM before the first write puts the job back untouched and the chip
// stays resumable; SIGTERM mid-write lets the cycle finish and report before the process exits.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { binPath } from '../../testkit/paths.js';
import {
  deviceId,
  LINE,
  settled,
  STATION_TOKEN,
  startWorkerHarness,
  waitFor,
  type WorkerHarness,
} from './station-worker-harness.js';

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly events: { event: string; [key: string]: unknown }[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function spawnWorker(harness: WorkerHarness): Promise<WorkerProcess> {
  const tokenFile = join(harness.dir, 'station.token');
  await writeFile(tokenFile, `${STATION_TOKEN}\n`, { mode: 0o600 });
  const child = spawn(process.execPath, [binPath('ingrain-station'), 'worker', '--chip-poll-ms', '20'], {
    env: {
      PATH: process.env['PATH'],
      INGRAIN_STATION_ID: 'station-1',
      INGRAIN_STATION_TOKEN_FILE: tokenFile,
      INGRAIN_API_URL: harness.api.url,
      REDIS_URL: harness.redis.url,
      INGRAIN_LINE: LINE,
      INGRAIN_FIXTURES: harness.sim.devices.map((device) => device.port).join(','),
      INGRAIN_SPOOL_DIR: harness.spoolDir,
      INGRAIN_FIXTURE_RELEASE_DIR: harness.releaseDir,
      INGRAIN_STATION_KEY_FILE: harness.stationKey.privateKeyPath,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const events: WorkerProcess['events'] = [];
  let buffered = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    buffered += text;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines)
      events.push(line.startsWith('{') ? (JSON.parse(line) as { event: string }) : { event: 'text', line });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await waitFor('the worker to start', () => (events.some((e) => e.event === 'station-started') ? true : undefined));
  return { child, events, exited };
}

describe('ingrain-station worker: graceful shutdown', () => {
  let harness: WorkerHarness;
  const running: ChildProcess[] = [];

  before(async () => {
    // Slow programming (1.5 ms per byte) leaves time to stop the station in the middle of a write.
    harness = await startWorkerHarness({
      fixtures: 1,
      simulator: { baudTiming: 115_200, programTimePerByteUs: 1_500 },
    });
  });
  after(async () => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
    await harness.close();
  });

  test('SIGTERM before the first write: exit 0, the job goes back untouched, the next worker completes the same chip', async () => {
    const id = deviceId(1);
    const chip = harness.sim.devices[0];
    assert.ok(chip);
    const chipUid = chip.uidHex;
    const first = await spawnWorker(harness);
    running.push(first.child);
    harness.api.onClaim = () => first.child.kill('SIGTERM'); // the station stops while the claim is in flight
    await harness.addJob(id, 1);
    assert.deepEqual(await first.exited, { code: 0, signal: null });
    harness.api.onClaim = undefined;

    assert.ok(first.events.some((e) => e.event === 'station-stopped'));
    const job = await harness.queue.getJob(id);
    assert.equal(await job?.getState(), 'waiting', 'back in the queue');
    assert.equal(job?.attemptsMade, 0, 'without using an attempt');
    const device = harness.api.devices.get(id);
    assert.equal(device?.state, 'claimed');
    assert.equal(device.chipUid, chipUid);
    assert.ok(
      chip.device.otp().data.every((byte) => byte === 0xff),
      'nothing was written',
    );

    const second = await spawnWorker(harness);
    running.push(second.child);
    const { state, job: done } = await settled(harness.queue, id);
    assert.equal(state, 'completed', done.failedReason);
    assert.equal(device.state, 'provisioned');
    assert.equal(device.chipUid, chipUid, 'the same chip, resumed');
    second.child.kill('SIGTERM');
    assert.deepEqual(await second.exited, { code: 0, signal: null });
  });

  test('SIGTERM in the middle of the write: the cycle finishes, is reported, and the process exits 0', async () => {
    const id = deviceId(2);
    const chip = await waitFor('the next chip', () =>
      harness.sim.devices[0]?.chipPresent === true ? harness.sim.devices[0] : undefined,
    );
    const worker = await spawnWorker(harness);
    running.push(worker.child);
    await harness.addJob(id, 2);
    await waitFor('the first programmed byte', () =>
      chip.device.otp().data.some((byte) => byte !== 0xff) ? true : undefined,
    );
    worker.child.kill('SIGTERM');
    assert.deepEqual(await worker.exited, { code: 0, signal: null });

    const device = harness.api.devices.get(id);
    assert.equal(device?.state, 'provisioned', 'reported before the process ended');
    assert.equal(await (await harness.queue.getJob(id))?.getState(), 'completed');
    assert.deepEqual(chip.device.damagedBytes(), []);
  });
});
