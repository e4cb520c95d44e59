import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowUsage } from './api-child.js';
import { renderReport, type RunResult, type SingleRow } from './api-report.js';

const MB = 1024 * 1024;

function usage(cpuMs: number, spans: RowUsage['spans'], peakMb = 400): RowUsage {
  return {
    wallMs: 1000,
    cpuMs,
    databaseServerCpuMs: null,
    spans,
    peakRssBytes: peakMb * MB,
    peakFrom: 'VmHWM',
    rssEndBytes: peakMb * MB,
    heapUsedEndBytes: 60 * MB,
    externalEndBytes: 200 * MB,
  };
}

function single(load: string, closedLoop: boolean, perSecond: number, p99Ms: number): SingleRow {
  return {
    database: 'pglite',
    layout: 'sensor-node',
    load,
    closedLoop,
    perSecond,
    completed: perSecond,
    answered: perSecond,
    p50Ms: 5,
    p99Ms,
    meanClientMs: 6,
    errors: 0,
    usage: usage(10 * perSecond, { single: { totalMs: 4 * perSecond, count: perSecond }, issue: null }),
  };
}

const run: RunResult = {
  database: 'pglite',
  ready: {
    port: 1,
    mesToken: '',
    seeds: {} as RunResult['ready']['seeds'],
    missingSpans: { issue: 'IdentityService.issue: gone' },
    postmasterFound: null,
  },
  idle: usage(0, {}, 350),
  raws: [{ pairs: 4000, ms: 1000, perSecond: 4000, cpuMsPerPair: 0.4 }],
  singles: [single('1 client', true, 100, 20), single('open loop 50.0/s', false, 50, 30)],
  batches: [
    {
      database: 'pglite',
      layout: 'bench-key-only',
      items: 1000,
      callers: 1,
      batches: 1,
      devices: 1000,
      perSecond: 2400,
      p99CallMs: 400,
      errors: 0,
      usage: usage(2000, {}),
    },
  ],
  lines: [
    {
      database: 'pglite',
      flows: 8,
      devices: 100,
      perSecond: 50,
      meanMs: { binding: 2, claim: 5, result: 8 },
      p99Ms: { binding: 4, claim: 9, result: 20 },
      errors: 0,
      exhausted: false,
      sealChecked: true,
      usage: usage(1200, { claim: { totalMs: 400, count: 100 } }, 320),
    },
  ],
};

const settings = {
  windowMs: 3000,
  lineWindowMs: 4500,
  batchWindowMs: 3000,
  rawWindowMs: 1500,
  rawParallel: 4,
  cores: 2,
};

test('targets: verdicts against the same run, and where the time goes only for a missed one', () => {
  const { text } = renderReport([run], settings, '## heading');
  assert.match(text, /batched requests vs raw HSM rate \(pglite\): met, 60\.0 %/);
  assert.match(text, /CPU per device at the line \(pglite\): missed, 12\.0 CPU ms\/device .*Where it goes: /);
  assert.match(text, /p99 at half .* \(pglite\): met, 30\.0 ms/);
  assert.match(text, /API RSS at load on PGlite \(pglite\): missed, peak 400 MB/);
});

test('a missing span is reported n/a with its reason, never as 0', () => {
  const { markdown } = renderReport([run], settings, '## heading');
  assert.match(markdown, /Not found in this build \(n\/a\): issue \(IdentityService\.issue: gone\)/);
  assert.match(markdown, /\| pglite +\| sensor-node \| 1 client +\| 100\.0 .*\| n\/a /);
});

test('the single-request summary line bench:e2e reads from docs/benchmarks.md', () => {
  const { markdown } = renderReport([run], settings, '## heading');
  assert.equal(/- pglite sensor-node: best sustained ([\d.]+)\/s/.exec(markdown)?.[1], '100.0');
});
