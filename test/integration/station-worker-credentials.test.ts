// The station's credentials over the real worker (pty, Redis, fake API; issue 9, defect 6): a station
// whose token the API refuses does not start and takes no job; an API that refuses the token (401,
// 403) or is down (503) while a job runs never makes the job unrecoverable — the job goes back to
// the queue, the station stops taking jobs while its token is refused, and the device is provisioned
// once the API accepts the token again.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { StationError } from '../../apps/station/src/worker/errors.js';
import { binPath } from '../../testkit/paths.js';
import {
  deviceId,
  LINE,
  MemoryLog,
  settled,
  startWorkerHarness,
  STATION_TOKEN,
  TEST_JOB_OPTIONS,
  waitFor,
  type WorkerHarness,
} from './station-worker-harness.js';

const BAD_TOKEN = `ingr_${'b'.repeat(43)}`;
const FAST_CHECKS = { credentialsBackoffMs: { initial: 50, max: 200 } } as const;

/** A StationError STATION_CREDENTIALS_REJECTED whose message matches `pattern` and never holds a token. */
const credentialsRejected =
  (pattern: RegExp) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof StationError, `not a StationError: ${String(error)}`);
    assert.equal(error.code, 'STATION_CREDENTIALS_REJECTED');
    assert.match(error.message, pattern);
    assert.match(error.message, /INGRAIN_STATION_TOKEN_FILE/);
    assert.ok(!error.message.includes(BAD_TOKEN) && !error.message.includes(STATION_TOKEN), 'no token in it');
    return true;
  };

describe('station worker: credentials', () => {
  let harness: WorkerHarness;
  /** Requests other than the start-up check and refused tokens: what a started worker would send. */
  const jobRequests = () => harness.api.requests.filter((r) => r.endpoint !== 'me' && r.endpoint !== 'auth');

  before(async () => {
    harness = await startWorkerHarness({ fixtures: 1, chipsPerFixture: 8 });
  });
  beforeEach(() => {
    harness.api.refuse = undefined;
    harness.api.setDown(false);
  });
  after(() => harness.close());

  test('a token the API refuses: the worker does not start, names the setting, and takes no job', async () => {
    const id = deviceId(1);
    await harness.addJob(id, 1);
    await assert.rejects(harness.startWorker({ token: BAD_TOKEN }), credentialsRejected(/HTTP 401 AUTH_INVALID/));
    // A token of another role (the API answers 403 ROLE_FORBIDDEN).
    harness.api.refuse = (endpoint) => (endpoint === 'me' ? { status: 403, code: 'ROLE_FORBIDDEN' } : undefined);
    await assert.rejects(harness.startWorker(), credentialsRejected(/HTTP 403 ROLE_FORBIDDEN/));
    await new Promise((resolve) => setTimeout(resolve, 300)); // a started worker would have taken it by now
    assert.equal(await harness.queue.getJobState(id), 'waiting');
    assert.deepEqual(jobRequests(), [], 'no binding lookup, claim or report was sent');
    assert.equal(harness.api.devices.get(id)?.state, 'queued');
    await (await harness.queue.getJob(id))?.remove();
  });

  test('a token of another station or another line: refused, naming both; nothing is taken', async () => {
    await assert.rejects(
      harness.startWorker({ stationId: 'station-9' }),
      credentialsRejected(/station 'station-1', not INGRAIN_STATION_ID 'station-9'/),
    );
    await assert.rejects(
      harness.startWorker({ line: 'line-other' }),
      credentialsRejected(new RegExp(`line '${LINE}', not INGRAIN_LINE 'line-other'`)),
    );
    assert.deepEqual(jobRequests(), []);
  });

  test('the API unreachable at start: the worker waits with backoff, logs it, and starts once it answers', async () => {
    harness.api.setDown(true);
    const log = new MemoryLog();
    let startedEarly = false;
    const starting = harness.startWorker({}, { log, ...FAST_CHECKS });
    void starting.then(() => (startedEarly = true));
    await waitFor('two unreachable checks (or a start without them)', () =>
      log.named('api-unreachable-at-start').length >= 2 || startedEarly ? true : undefined,
    );
    assert.equal(startedEarly, false, 'started while the API was unreachable');
    const [first] = log.named('api-unreachable-at-start');
    assert.equal(first?.['level'], 'warn');
    assert.equal(first['errorCode'], 'STATION_API_UNREACHABLE');
    assert.equal(log.named('station-started').length, 0, 'not started while the API is down');
    harness.api.setDown(false);
    const { station } = await starting;
    assert.equal(log.named('station-started').length, 1);
    await station.stop();
  });

  for (const { endpoint, status, code } of [
    { endpoint: 'claim', status: 401, code: 'AUTH_INVALID' },
    { endpoint: 'binding', status: 403, code: 'ROLE_FORBIDDEN' },
  ] as const) {
    test(`${endpoint} answered ${status} during a run: the job is retried, the station pauses, then the device is provisioned`, async () => {
      const { station, log } = await harness.startWorker({}, FAST_CHECKS);
      // The token is refused from now on (revoked): at the job's API call and at every re-check.
      harness.api.refuse = (asked) => (asked === endpoint || asked === 'me' ? { status, code } : undefined);
      const id = deviceId(status);
      await harness.addJob(id, status);
      const outcome = await waitFor('the refused job back in the queue (or failed)', async () => {
        const failed = await harness.queue.getJob(id);
        if (failed?.finishedOn !== undefined) return { failedReason: failed.failedReason };
        return log.named('api-refused-credentials-job-delayed').find((entry) => entry['jobId'] === id);
      });
      assert.ok(!('failedReason' in outcome), `the job failed: ${String(outcome.failedReason)}`);
      const delayed = outcome;
      assert.equal(delayed['level'], 'warn');
      assert.equal(delayed['status'], status);
      await waitFor('the pause', () => (log.named('station-paused').length > 0 ? true : undefined));
      await waitFor('a failed re-check', () => (log.named('credentials-recheck-failed').length > 0 ? true : undefined));
      const state = await harness.queue.getJobState(id);
      assert.ok(state === 'delayed' || state === 'waiting', `the job is ${state}, not failed`);
      assert.equal(harness.api.devices.get(id)?.state, 'queued', 'the device is still claimable');

      harness.api.refuse = undefined; // the token is accepted again
      const { state: final, job } = await settled(harness.queue, id);
      assert.equal(final, 'completed', job.failedReason);
      assert.ok(job.attemptsMade < TEST_JOB_OPTIONS.attempts);
      assert.equal(harness.api.devices.get(id)?.state, 'provisioned');
      assert.equal(log.named('station-resumed').length, 1);
      await station.stop();
    });
  }

  test('a station paused on a refused token stops gracefully', async () => {
    const { station, log } = await harness.startWorker({}, FAST_CHECKS);
    harness.api.refuse = (asked) =>
      asked === 'claim' || asked === 'me' ? { status: 401, code: 'AUTH_INVALID' } : undefined;
    const id = deviceId(402);
    await harness.addJob(id, 402);
    await waitFor('the pause', () => (log.named('station-paused').length > 0 ? true : undefined));
    await station.stop();
    assert.equal(log.named('station-stopped').length, 1);
    assert.equal(log.named('station-resumed').length, 0);
    const state = await harness.queue.getJobState(id);
    assert.ok(state === 'delayed' || state === 'waiting', `the job is ${state}, not failed`);
    await (await harness.queue.getJob(id))?.remove();
  });

  test('a claim answered 503: the job waits for the API and completes', async () => {
    const { station, log } = await harness.startWorker({}, FAST_CHECKS);
    let refusals = 2;
    harness.api.refuse = (endpoint) =>
      endpoint === 'claim' && refusals-- > 0 ? { status: 503, code: 'SERVICE_UNAVAILABLE' } : undefined;
    const id = deviceId(503);
    await harness.addJob(id, 503);
    const { state, job } = await settled(harness.queue, id);
    assert.equal(state, 'completed', job.failedReason);
    assert.equal(harness.api.devices.get(id)?.state, 'provisioned');
    assert.equal(log.named('api-unreachable-job-delayed').length, 2);
    assert.equal(log.named('station-paused').length, 0, 'an outage does not pause the station');
    await station.stop();
  });

  test('`ingrain-station worker` with a refused token exits 2, naming the setting, never the token', async () => {
    const tokenFile = join(harness.dir, 'bad-token');
    await writeFile(tokenFile, `${BAD_TOKEN}\n`, { mode: 0o600 });
    const env = {
      PATH: process.env['PATH'] ?? '',
      INGRAIN_STATION_ID: 'station-1',
      INGRAIN_STATION_TOKEN_FILE: tokenFile,
      INGRAIN_API_URL: harness.api.url,
      REDIS_URL: harness.redis.url,
      INGRAIN_LINE: LINE,
      INGRAIN_FIXTURES: '/dev/null-fixture',
      INGRAIN_SPOOL_DIR: join(harness.dir, 'cli-spool'),
      INGRAIN_STATION_KEY_FILE: harness.stationKey.privateKeyPath,
    };
    const exit = await promisify(execFile)(process.execPath, [binPath('ingrain-station'), 'worker'], {
      env,
      timeout: 30_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    assert.equal(exit.code, 2, exit.stderr);
    assert.match(exit.stderr, /STATION_CREDENTIALS_REJECTED|refused the station token/);
    assert.match(exit.stderr, /INGRAIN_STATION_TOKEN_FILE/);
    assert.ok(!exit.stderr.includes(BAD_TOKEN));
  });
});
