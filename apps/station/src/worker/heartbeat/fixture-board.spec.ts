import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stationHeartbeatSchema } from '#ingrain/contracts';
import type { CycleResult } from '#ingrain/otp';
import { FixtureBoard, reasonCode } from './fixture-board.js';

const AT = new Date('2026-01-01T00:00:00.000Z');
const DEVICE = '0b8f6d2e-4c1a-4f0e-9a57-3c2d1e0f9a01';
const result = {
  outcome: 'provisioned',
  durationsMs: { connect: 1, identify: 2, read: 3, plan: 0, write: 4, verify: 5, lock: 6 },
  totalMs: 21,
} as unknown as CycleResult;

function heartbeatOf(board: FixtureBoard) {
  return stationHeartbeatSchema.parse({
    bootId: DEVICE,
    sequence: 0,
    sentAt: AT.toISOString(),
    version: '0.1.0',
    fixtures: board.snapshot(),
  });
}

describe('FixtureBoard', () => {
  test('every fixture starts empty, in configuration order', () => {
    const board = new FixtureBoard(['/dev/ttyUSB1', '/dev/ttyUSB0'], () => AT);
    assert.deepEqual(
      board.snapshot().map((f) => [f.port, f.state, f.phase, f.reason, f.lastCycle]),
      [
        ['/dev/ttyUSB1', 'empty', null, null, null],
        ['/dev/ttyUSB0', 'empty', null, null, null],
      ],
    );
  });

  test('a chip through the cycle: present, claiming, phases, reporting, done; each snapshot is a valid heartbeat', () => {
    const board = new FixtureBoard(['p0'], () => AT);
    const seen: unknown[] = [];
    const look = () => {
      const [fixture] = heartbeatOf(board).fixtures;
      seen.push([fixture?.state, fixture?.phase, fixture?.reason]);
    };
    board.fixture('p0', { kind: 'chip-present' });
    look();
    board.step('p0', 'claiming', DEVICE);
    look();
    board.step('p0', 'write');
    look();
    board.cycleFinished('p0', result, AT);
    board.step('p0', 'reporting', DEVICE);
    look();
    board.fixture('p0', { kind: 'released', bin: 'done', reason: 'provisioned' });
    look();
    assert.deepEqual(seen, [
      ['chip-present', null, null],
      ['programming', 'claiming', null],
      ['programming', 'write', null],
      ['programming', 'reporting', null],
      ['done', null, null],
    ]);
    const [fixture] = board.snapshot();
    assert.equal(fixture?.deviceId, DEVICE);
    assert.deepEqual(fixture?.lastCycle, {
      outcome: 'provisioned',
      durationsMs: { connect: 1, identify: 2, read: 3, plan: 0, write: 4, verify: 5, lock: 6 },
      totalMs: 21,
      finishedAt: AT.toISOString(),
    });
  });

  test('a chip released to quarantine is failed with its reason as a code; a later job failure keeps it', () => {
    const board = new FixtureBoard(['p0'], () => AT);
    board.fixture('p0', { kind: 'released', bin: 'quarantine', reason: 'STATION_CHIP_CONFLICT' });
    board.failed('p0', 'STATION_DEVICE_QUARANTINED');
    assert.deepEqual(
      board.snapshot().map((f) => [f.state, f.reason]),
      [['failed', 'STATION_CHIP_CONFLICT']],
    );
    board.fixture('p0', { kind: 'empty' });
    assert.deepEqual(
      board.snapshot().map((f) => [f.state, f.reason, f.deviceId]),
      [['empty', null, null]],
    );
  });

  test('a job failure without a release (link errors): failed with the code', () => {
    const board = new FixtureBoard(['p0'], () => AT);
    board.step('p0', 'verify');
    board.failed('p0', 'STATION_CHIP_LINK_ERROR');
    assert.deepEqual(heartbeatOf(board).fixtures[0]?.reason, 'STATION_CHIP_LINK_ERROR');
  });

  test('since changes with the state only; unknown ports are ignored', () => {
    let now = AT;
    const board = new FixtureBoard(['p0'], () => now);
    now = new Date(AT.getTime() + 1_000);
    board.step('p0', 'connect');
    now = new Date(AT.getTime() + 2_000);
    board.step('p0', 'read');
    board.step('nope', 'read');
    assert.equal(board.snapshot()[0]?.since, new Date(AT.getTime() + 1_000).toISOString());
    assert.equal(board.snapshot().length, 1);
  });

  test('reasonCode: codes stay, words become a code', () => {
    assert.equal(reasonCode('STATION_CHIP_CONFLICT'), 'STATION_CHIP_CONFLICT');
    assert.equal(reasonCode('device quarantined'), 'DEVICE_QUARANTINED');
    assert.equal(reasonCode('verify-failed'), 'VERIFY_FAILED');
    assert.equal(reasonCode('—'), 'UNKNOWN');
  });
});
