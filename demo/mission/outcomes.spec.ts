import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ReleasedChipFile, type StationEvent } from '../../testkit/stack/index.js';
import { devicesByState, tallyBins, tallyStations } from './outcomes.js';
import { type MissionReport, missionProblems } from './summary.js';

const chip = (bin: string, dataHex: string, lockBytesHex: string, damaged: unknown[] = []): ReleasedChipFile => ({
  bin,
  uidHex: '00'.repeat(12),
  dataHex,
  lockBytesHex,
  damaged,
});

const device = (state: string, stationId: string | null) => ({ state, stationId }) as never;

describe('tallyBins', () => {
  test('counts chips, non-blank data bytes, locked blocks and damaged bytes per bin', () => {
    const bins = tallyBins([
      chip('quarantine', 'ffff00ff', 'ffff'),
      chip('done', '0102ffff', '00ff'),
      chip('done', 'FF00FFFF', '0000', [{ area: 'data', offsetBytes: 1, reason: 'reprogrammed' }]),
    ]);
    assert.deepEqual(bins, [
      { bin: 'done', chips: 2, programmedBytes: 3, lockedBlocks: 3, damagedBytes: 1 },
      { bin: 'quarantine', chips: 1, programmedBytes: 1, lockedBlocks: 0, damagedBytes: 0 },
    ]);
  });

  test('no released chips, no rows', () => {
    assert.deepEqual(tallyBins([]), []);
  });
});

describe('devicesByState', () => {
  test('lists every state in state-machine order, zero counts included', () => {
    const counts = devicesByState([device('provisioned', 'a'), device('quarantined', 'a'), device('provisioned', 'b')]);
    assert.deepEqual(counts, [
      ['provisioned', 2],
      ['quarantined', 1],
      ['scrapped', 0],
      ['claimed', 0],
      ['queued', 0],
    ]);
  });
});

describe('tallyStations', () => {
  test("joins the API's device states with the station's chip-finished lines", () => {
    const events: StationEvent[] = [
      { event: 'chip-finished', bytesWritten: 100, totalMs: 300 },
      { event: 'job-failed', errorCode: 'STATION_CHIP_LINK_ERROR' },
      { event: 'job-completed' },
      { event: 'chip-finished', bytesWritten: 50, totalMs: 500 },
    ];
    const station = {
      id: 'st-1',
      fixtures: ['/dev/pts/1', '/dev/pts/2'],
      named: (name: string) => events.filter((entry) => entry.event === name),
    };
    const idle = { id: 'st-2', fixtures: ['/dev/pts/3'], named: () => [] };
    const devices = [device('provisioned', 'st-1'), device('scrapped', 'st-1'), device('queued', null)];
    assert.deepEqual(tallyStations([station, idle], devices), [
      { id: 'st-1', fixtures: 2, provisioned: 1, failed: 1, chips: 2, failedAttempts: 1, meanCycleMs: 400 },
      { id: 'st-2', fixtures: 1, provisioned: 0, failed: 0, chips: 0, failedAttempts: 0, meanCycleMs: undefined },
    ]);
  });
});

describe('missionProblems', () => {
  const report = (overrides: Partial<MissionReport>): MissionReport => ({
    requested: 2,
    byState: [['provisioned', 2]],
    provisioningMs: 1000,
    stackStartMs: 1000,
    fixtures: 8,
    baudRate: 115_200,
    stations: [],
    bins: [{ bin: 'done', chips: 2, programmedBytes: 10, lockedBlocks: 10, damagedBytes: 0 }],
    attestations: 2,
    bundlePath: 'bundles.jsonl',
    verdict: { exitCode: 0, ok: true, total: 2, passed: 2, failed: 0, bundles: [] },
    ...overrides,
  });

  test('a clean run has none', () => {
    assert.deepEqual(missionProblems(report({})), []);
  });

  test('a failed device, a rejected bundle, a missing attestation and a damaged byte each count', () => {
    const problems = missionProblems(
      report({
        byState: [
          ['provisioned', 1],
          ['quarantined', 1],
        ],
        attestations: 2,
        verdict: { exitCode: 1, ok: false, total: 2, passed: 1, failed: 1, bundles: [] },
        bins: [{ bin: 'done', chips: 1, programmedBytes: 5, lockedBlocks: 5, damagedBytes: 3 }],
      }),
    );
    assert.equal(problems.length, 4, problems.join('\n'));
  });
});
