import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type StationEvent } from '../../testkit/stack/index.js';
import { type CpuUsage } from './e2e-cpu.js';
import { type LineConfig, type LineRun } from './e2e-line.js';
import { phaseMeans } from './e2e-phases.js';
import { lineRates } from './e2e-rates.js';

const idleCpu = {} as CpuUsage; // not read by lineRates

function run(config: LineConfig, attestedAtMs: number[], firstRequestAtMs = 0): LineRun {
  return {
    config,
    workOrderId: 'wo',
    counts: {} as LineRun['counts'],
    firstRequestAtMs,
    orderedAtMs: firstRequestAtMs + 100,
    attestedAtMs,
    events: [],
    cpu: idleCpu,
    releasedDone: attestedAtMs.length,
    releasedOther: 0,
    damagedBytes: 0,
  };
}

describe('lineRates', () => {
  const four: LineConfig = { label: '4', stations: 1, fixturesPerStation: 4, devices: 12 };

  test('fixtures finishing in lock-step (bursts of F every T): steady rate F / T, ramp-up left out', () => {
    // First burst after a 2 s ramp-up, then one every 500 ms: 4 fixtures / 0.5 s = 8 devices/s.
    const times = [2000, 2500, 3000].flatMap((t) => [t, t, t, t]);
    const rates = lineRates(run(four, times));
    assert.equal(rates.steadyPerSecond, 8);
    assert.equal(rates.wallPerSecond, 12 / 3);
    assert.equal(rates.firstDeviceMs, 2000);
  });

  test('staggered fixtures give the same steady rate', () => {
    const times = Array.from({ length: 12 }, (_, i) => 1000 + 125 * i);
    assert.equal(lineRates(run(four, times)).steadyPerSecond, 8);
  });

  test('no more devices than fixtures: no steady state, an error', () => {
    assert.throws(() => lineRates(run(four, [1, 2, 3, 4])), /no steady state/);
  });
});

function jobEvents(station: string, fixture: string, jobId: string, startMs: number): StationEvent[] {
  const steps: [string, number][] = [
    ['job-started', 0],
    ['job-claiming', 30],
    ['job-programming', 40],
    ['job-reporting', 340],
    ['job-released', 390],
  ];
  const at = (ms: number) => new Date(startMs + ms).toISOString();
  return [
    ...steps.map(([event, ms]) => ({ event, station, fixture, jobId, time: at(ms) })),
    { event: 'chip-finished', station, fixture, totalMs: 295, time: at(389) },
  ];
}

describe('phaseMeans', () => {
  test('splits each job into its phases and measures the hand-off to the fixture’s next job', () => {
    const events = [
      ...jobEvents('st-1', '/dev/pts/1', '1', 0),
      ...jobEvents('st-1', '/dev/pts/2', '2', 10),
      ...jobEvents('st-1', '/dev/pts/1', '3', 395),
      ...jobEvents('st-1', '/dev/pts/2', '4', 405),
    ];
    const medians = phaseMeans(events);
    assert.deepEqual(medians.phasesMs, {
      'chip probe + lookup': 30,
      claim: 10,
      cycle: 300,
      'report + release': 50,
      'queue hand-off': 5,
    });
    assert.equal(medians.periodMs, 395);
    assert.equal(medians.cycleTotalMs, 295);
    assert.equal(medians.jobs, 4);
  });

  test('a job with a missing step is left out; none complete is an error', () => {
    const partial = jobEvents('st-1', '/dev/pts/1', '1', 0).filter((entry) => entry.event !== 'job-reporting');
    assert.throws(() => phaseMeans(partial), /no job with every step/);
  });
});
