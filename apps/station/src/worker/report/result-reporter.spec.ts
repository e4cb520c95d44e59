import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type StationReportBody } from '#ingrain/contracts';
import { StationApiError } from '../errors.js';
import { ResultReporter } from './result-reporter.js';
import { ResultSpool } from './result-spool.js';
import { type ReportVerdict } from '../api/station-api.js';
import { type LogFields, type StationLog } from '../station-log.js';

/** An in-memory API: up or down, refusing some devices, recording what it took in order. */
class MemoryApi {
  up = true;
  /** The station's token is refused (401 AUTH_INVALID: revoked). */
  tokenRefused = false;
  readonly refused = new Set<string>();
  readonly taken: { deviceId: string; outcome: string }[] = [];

  report(deviceId: string, report: StationReportBody): Promise<ReportVerdict> {
    if (!this.up) return Promise.reject(new StationApiError('STATION_API_UNREACHABLE', 'down', undefined, undefined));
    if (this.tokenRefused)
      return Promise.reject(new StationApiError('STATION_API_REJECTED', 'HTTP 401', 401, 'AUTH_INVALID'));
    if (this.refused.has(deviceId))
      return Promise.reject(
        new StationApiError('STATION_API_REJECTED', 'HTTP 422', 422, 'REPORT_SECRET_BYTES_PRESENT'),
      );
    this.taken.push({ deviceId, outcome: report.outcome });
    return Promise.resolve({ verdict: report.outcome === 'link-error' ? 'retry' : 'provisioned' });
  }
}

class QuietLog implements StationLog {
  readonly events: { event: string; fields: LogFields }[] = [];
  write(_level: string, event: string, fields: LogFields = {}): void {
    this.events.push({ event, fields });
  }
}

function report(outcome: StationReportBody['outcome']): StationReportBody {
  const wire = { bytesSent: 0, bytesReceived: 0, roundTrips: 0 };
  return {
    outcome,
    chipUid: null,
    productId: null,
    family: null,
    otpData: null,
    lockBytes: null,
    bytesWritten: 0,
    blocksLocked: 0,
    durationsMs: { connect: 0, identify: 0, read: 0, plan: 0, write: 0, verify: 0, lock: 0 },
    totalMs: 0,
    wire,
    confirmReads: { count: 0, wire, durationMs: 0 },
    error: null,
    startedAt: '2030-01-01T00:00:00.000Z',
    finishedAt: '2030-01-01T00:00:00.000Z',
  };
}

describe('ResultReporter over a spool directory', () => {
  let dir: string;
  let spool: ResultSpool;
  let api: MemoryApi;
  let reporter: ResultReporter;
  const files = async (sub: string) => (await readdir(join(dir, sub))).filter((name) => name.endsWith('.json'));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-spool-spec-'));
    spool = new ResultSpool(dir);
    await spool.init();
    api = new MemoryApi();
    reporter = new ResultReporter(spool, api, new QuietLog(), { initialBackoffMs: 5, maxBackoffMs: 20 });
  });
  afterEach(async () => {
    await reporter.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a delivered report leaves nothing behind', async () => {
    assert.deepEqual(await reporter.submit('d1', report('provisioned')), { kind: 'delivered', verdict: 'provisioned' });
    assert.deepEqual(await files('pending'), []);
  });

  test('while the API is down the report stays on disk; a flush delivers it later', async () => {
    api.up = false;
    assert.deepEqual(await reporter.submit('d1', report('provisioned')), { kind: 'spooled' });
    assert.equal((await files('pending')).length, 1);
    assert.deepEqual(await reporter.flushPending(), { delivered: 0, rejected: 0, remaining: 1 });
    api.up = true;
    assert.deepEqual(await reporter.flushPending(), { delivered: 1, rejected: 0, remaining: 0 });
    assert.deepEqual(api.taken, [{ deviceId: 'd1', outcome: 'provisioned' }]);
  });

  test("a device's reports go out oldest first: an old link error never overtakes the final report", async () => {
    api.up = false;
    await reporter.submit('d1', report('link-error'));
    api.up = true;
    await reporter.submit('d1', report('provisioned'));
    assert.deepEqual(
      api.taken.map((taken) => taken.outcome),
      ['link-error', 'provisioned'],
    );
  });

  test("a report refused for the station's token (401) stays pending, and goes out once the token is accepted", async () => {
    api.tokenRefused = true;
    assert.deepEqual(await reporter.submit('d1', report('provisioned')), { kind: 'spooled' });
    assert.equal((await files('pending')).length, 1);
    assert.deepEqual(await files('rejected'), []);
    api.tokenRefused = false;
    assert.deepEqual(await reporter.flushPending(), { delivered: 1, rejected: 0, remaining: 0 });
    assert.deepEqual(api.taken, [{ deviceId: 'd1', outcome: 'provisioned' }]);
  });

  test('a refused report is set aside in rejected/, never retried, never lost', async () => {
    api.refused.add('d2');
    assert.deepEqual(await reporter.submit('d2', report('provisioned')), {
      kind: 'rejected',
      code: 'REPORT_SECRET_BYTES_PRESENT',
    });
    assert.deepEqual(await files('pending'), []);
    assert.equal((await files('rejected')).length, 1);
  });

  test('a file that does not parse is moved to rejected/ and skipped', async () => {
    await writeFile(join(dir, 'pending', '000000000000001-1-000001-x.json'), '{ not json');
    assert.deepEqual(await spool.pending(), []);
    assert.equal((await files('rejected')).length, 1);
  });

  test("a delivered report kicks the flusher: another device's spooled report goes out without waiting for the backoff", async () => {
    const log = new QuietLog();
    const slow = new ResultReporter(spool, api, log, { initialBackoffMs: 600_000, maxBackoffMs: 600_000 });
    const spooledCount = () => log.events.filter((entry) => entry.event === 'report-spooled').length;
    try {
      api.up = false;
      await slow.submit('d4', report('provisioned'));
      slow.start();
      // Its first pass finds the API down too: the next one would come 10 minutes later.
      for (let i = 0; i < 400 && spooledCount() < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(spooledCount(), 2, 'the flusher tried once and backed off');
      api.up = true;
      await slow.submit('d5', report('provisioned'));
      for (let i = 0; i < 400 && api.taken.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(api.taken, [
        { deviceId: 'd5', outcome: 'provisioned' },
        { deviceId: 'd4', outcome: 'provisioned' },
      ]);
    } finally {
      await slow.stop();
    }
  });

  test('the background flusher delivers once the API is back', async () => {
    api.up = false;
    await reporter.submit('d3', report('provisioned'));
    reporter.start();
    api.up = true;
    for (let i = 0; i < 200 && api.taken.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(api.taken, [{ deviceId: 'd3', outcome: 'provisioned' }]);
    await reporter.stop();
    assert.deepEqual(await files('pending'), []);
  });
});
