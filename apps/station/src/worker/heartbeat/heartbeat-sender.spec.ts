import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stationHeartbeatSchema, type StationHeartbeatBody } from '#ingrain/contracts';
import { StationApiError } from '../errors.js';
import type { LogFields, LogLevel, StationLog } from '../station-log.js';
import { FixtureBoard } from './fixture-board.js';
import { HeartbeatSender } from './heartbeat-sender.js';

class MemoryLog implements StationLog {
  readonly lines: { level: LogLevel; event: string; fields: LogFields }[] = [];
  write(level: LogLevel, event: string, fields: LogFields = {}): void {
    this.lines.push({ level, event, fields });
  }
}

function setup(heartbeat: (body: StationHeartbeatBody) => Promise<{ stored: boolean }>) {
  const log = new MemoryLog();
  const counts = { sent: 0, failed: 0 };
  const sender = new HeartbeatSender({
    api: { heartbeat },
    board: new FixtureBoard(['/dev/ttyUSB0']),
    log,
    intervalMs: 60_000,
    version: '0.1.0',
    sent: () => counts.sent++,
    failed: () => counts.failed++,
  });
  return { sender, log, counts };
}

describe('HeartbeatSender', () => {
  test('sends valid heartbeats of one boot with a rising sequence', async () => {
    const bodies: StationHeartbeatBody[] = [];
    const { sender, counts } = setup((body) => {
      bodies.push(body);
      return Promise.resolve({ stored: true });
    });
    await sender.beat();
    await sender.beat();
    const [first, second] = bodies.map((body) => stationHeartbeatSchema.parse(body));
    assert.deepEqual([first?.sequence, second?.sequence], [0, 1]);
    assert.equal(first?.bootId, second?.bootId);
    assert.deepEqual(
      first?.fixtures.map((f) => f.state),
      ['empty'],
    );
    assert.equal(counts.sent, 2);
  });

  test('a failing API is counted and logged once per outage, never thrown', async () => {
    let down = true;
    const { sender, log, counts } = setup(() =>
      down
        ? Promise.reject(
            new StationApiError('STATION_API_UNREACHABLE', 'heartbeat: the API is unreachable', undefined, undefined),
          )
        : Promise.resolve({ stored: true }),
    );
    await sender.beat();
    await sender.beat();
    down = false;
    await sender.beat();
    assert.equal(counts.failed, 2);
    assert.deepEqual(
      log.lines.map((line) => [line.level, line.event, line.fields['errorCode']]),
      [
        ['warn', 'heartbeat-failed', 'STATION_API_UNREACHABLE'],
        ['info', 'heartbeat-restored', undefined],
      ],
    );
  });

  test('at most one heartbeat in flight: a beat while one is out joins it', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const { sender } = setup(() => {
      calls++;
      return new Promise((resolve) => (release = () => resolve({ stored: true })));
    });
    const first = sender.beat();
    const second = sender.beat();
    release();
    await Promise.all([first, second]);
    assert.equal(calls, 1);
  });

  test('stop waits for the heartbeat in flight and sends no more', async () => {
    let calls = 0;
    const { sender } = setup(() => {
      calls++;
      return Promise.resolve({ stored: true });
    });
    sender.start();
    await sender.stop();
    sender.start();
    assert.equal(calls, 1);
  });
});
