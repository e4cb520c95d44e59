// Scale-out on real engines: two API processes on one PostgreSQL, one Redis and one SoftHSM token
// (both APIs hold the same keys, as in production with one HSM), two stations with simulated chips.
// The MES alternates its requests between the two APIs; API B is killed (SIGKILL) while devices are
// being requested and provisioned, and the MES retries whatever did not get an answer on API A with
// the same Idempotency-Key. The stations talk to API A (a station takes one API URL; in production
// it is the load balancer's). Nothing is lost, no identity is issued twice, the transparency log is
// one consistent tree holding every attestation, and the work order's quota holds.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg, { type Pool } from 'pg';
import { createIngrainClient, expectData, type IngrainClient } from '#ingrain/api-client';
import { startPostgres, type PostgresServer } from '../../testkit/postgres.js';
import {
  ApiProcess,
  auditWorkOrder,
  freePort,
  sampleInputs,
  startLocalStack,
  startSimProcess,
  waitForWorkOrder,
  type LocalStack,
  type SimProcess,
} from '../../testkit/stack/index.js';

const DEVICES = 16;
/** API B is killed once this many requests have been sent (some of them still in flight). */
const KILL_AFTER_REQUESTS = 7;
const CONCURRENCY = 4;
const SERIAL_PREFIX = 'SN-SCALE-';

interface Outcome {
  readonly index: number;
  readonly deviceId: string;
  /** Which API gave the 2xx. */
  readonly answeredBy: 'a' | 'b';
  /** Attempts before the 2xx (more than one: retried on API A with the same key). */
  readonly attempts: number;
}

describe('scale-out: two APIs on one PostgreSQL, one killed mid-run', () => {
  let dir: string;
  let postgres: PostgresServer;
  let stack: LocalStack;
  let apiB: ApiProcess;
  let sim: SimProcess;
  let workOrderId: string;
  let outcomes: Outcome[];
  let db: Pool;
  /** Rows of a query on the shared database. */
  const query = async <T>(sql: string, values?: unknown[]): Promise<T[]> => {
    const client = await db.connect();
    try {
      return (await client.query(sql, values)).rows as T[];
    } finally {
      client.release();
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-scale-'));
    postgres = await startPostgres();
    const databaseUrl = postgres.url();
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1', 'st-2'], databaseUrl });
    // API B: the same database, Redis, HSM token and public keys; another port.
    apiB = new ApiProcess({
      dataDir: join(dir, 'unused'),
      databaseUrl,
      publicKeysDir: stack.hsm.publicKeysDir,
      hsmEnv: stack.hsm.env,
      redisUrl: stack.redis.url,
      port: await freePort(),
      logOrigin: stack.logOrigin,
    });
    await apiB.start();
    const releaseDir = join(dir, 'release');
    sim = await startSimProcess({ family: 'stm32f4', count: 4, feeder: { releaseDir } });
    const ports = sim.devices.map((device) => device.port);
    await stack.startStation('st-1', ports.slice(0, 2), { releaseDir });
    await stack.startStation('st-2', ports.slice(2, 4), { releaseDir });
    db = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  });
  after(async () => {
    await db?.end();
    await apiB?.stop();
    await stack?.close();
    await sim?.stop();
    await postgres?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the MES load is spread over both APIs; every device it got a 2xx for is provisioned', async () => {
    const mesToken = stack.catalog.mesToken;
    const mesA = stack.client(mesToken);
    const mesB = createIngrainClient({ baseUrl: apiB.url, token: mesToken });
    const order = expectData(
      await mesA.POST('/v1/work-orders', { body: { productId: stack.catalog.productId, quantity: DEVICES } }),
    );
    workOrderId = order.id;
    let bAlive = true;
    let bAnswered = 0;
    let sent = 0;
    let killing: Promise<void> | undefined;
    outcomes = [];
    const request = async (index: number): Promise<Outcome> => {
      const serial = `${SERIAL_PREFIX}${String(index + 1).padStart(6, '0')}`;
      const body = { workOrderId, serial, inputs: sampleInputs(serial, index) };
      // One key per device, kept across retries: a retry never makes a second identity.
      const headers = { 'Idempotency-Key': randomUUID() };
      for (let attempt = 1; ; attempt++) {
        const target: 'a' | 'b' = index % 2 === 1 && bAlive && attempt === 1 ? 'b' : 'a';
        const client: IngrainClient = target === 'b' ? mesB : mesA;
        sent++;
        const sending = client.POST('/v1/devices', { params: { header: headers }, body });
        if (target === 'b' && sent >= KILL_AFTER_REQUESTS && bAnswered >= 2) {
          // SIGKILL now: this request never gets an answer, others may be mid-transaction on B.
          bAlive = false;
          killing = apiB.kill();
        }
        try {
          const answer = await sending;
          if (answer.response.status >= 200 && answer.response.status < 300 && answer.data !== undefined) {
            if (target === 'b') bAnswered++;
            return { index, deviceId: answer.data.id, answeredBy: target, attempts: attempt };
          }
          assert.ok(answer.response.status >= 500, `device ${index}: ${answer.response.status}`);
        } catch (error) {
          if (target !== 'b') throw error; // only the killed API may drop a connection
        }
        assert.ok(attempt < 5, `device ${index}: no 2xx after ${attempt} attempts`);
      }
    };
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < DEVICES; index = next++) outcomes.push(await request(index));
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killing;
    assert.ok(killing !== undefined, 'API B was killed while the MES was requesting devices');
    assert.equal(apiB.pid, undefined);
    assert.ok(
      outcomes.some((outcome) => outcome.attempts > 1),
      'a request sent to API B as it died was retried on API A',
    );
    assert.ok(
      outcomes.some((outcome) => outcome.answeredBy === 'b'),
      'API B answered some requests before it died',
    );

    const counts = await waitForWorkOrder(mesA, workOrderId, { timeoutMs: 150_000 });
    assert.equal(counts.provisioned, DEVICES, JSON.stringify(counts));
    for (const { deviceId } of outcomes) {
      const device = expectData(await mesA.GET('/v1/devices/{id}', { params: { path: { id: deviceId } } }));
      assert.equal(device.state, 'provisioned', `device ${deviceId}`);
    }
    assert.equal(new Set(outcomes.map((outcome) => outcome.deviceId)).size, DEVICES, 'one device per request');
  });

  test('no identity twice across the database: serials, chip UIDs, device keys and certificates', async () => {
    const rows = await query<{
      total: string;
      serials: string;
      chips: string;
      keys: string;
      certificates: string;
      keyed: string;
    }>(
      `select count(*) as total, count(distinct serial) as serials, count(distinct chip_uid) as chips,
              count(distinct public_key_spki) as keys, count(distinct certificate_sha256) as certificates,
              count(public_key_spki) as keyed
         from devices where work_order_id = $1`,
      [workOrderId],
    );
    const [row] = rows;
    assert.ok(row !== undefined);
    assert.equal(Number(row.total), DEVICES, 'no device beyond the requests');
    assert.equal(Number(row.serials), DEVICES);
    assert.equal(Number(row.chips), DEVICES);
    assert.equal(Number(row.keys), Number(row.keyed), 'each device key is its own');
    assert.equal(Number(row.certificates), Number(row.keyed), 'each certificate is its own');
    const stations = await query<{ station_id: string }>(
      `select distinct station_id from devices where work_order_id = $1`,
      [workOrderId],
    );
    assert.equal(stations.length, 2, 'both stations provisioned some');
  });

  test('the transparency log is one tree holding every attestation; the verifier passes on every bundle', async () => {
    const rows = await query<{ tree_size: string; leaves: string; max_index: string; attestations: string }>(
      `select (select tree_size from log_state) as tree_size,
              (select count(*) from log_leaves) as leaves,
              (select coalesce(max(leaf_index), -1) from log_leaves) as max_index,
              (select count(*) from attestations) as attestations`,
    );
    const [log] = rows;
    assert.ok(log !== undefined);
    assert.equal(Number(log.leaves), Number(log.tree_size), 'every leaf is in the tree');
    assert.equal(Number(log.max_index), Number(log.tree_size) - 1, 'leaf indexes have no gap');
    assert.equal(Number(log.attestations), Number(log.leaves), 'one leaf per attestation');
    const perDevice = await query<{ device_id: string }>(
      `select device_id from attestations where work_order_id = $1`,
      [workOrderId],
    );
    assert.equal(perDevice.length, DEVICES, 'one attestation per device');

    const { attestations, verdict } = await auditWorkOrder(stack, workOrderId, join(dir, 'bundles.jsonl'));
    assert.equal(attestations.length, DEVICES);
    assert.equal(verdict.exitCode, 0);
    assert.deepEqual([verdict.total, verdict.passed, verdict.failed], [DEVICES, DEVICES, 0]);
  });

  test('the quota held: the work order issued exactly its quantity and refuses one more', async () => {
    const mes = stack.client(stack.catalog.mesToken);
    const { counts } = expectData(await mes.GET('/v1/work-orders/{id}', { params: { path: { id: workOrderId } } }));
    assert.equal(counts.issued, DEVICES);
    assert.equal(counts.planned, DEVICES);
    const serial = `${SERIAL_PREFIX}extra`;
    const refused = await mes.POST('/v1/devices', {
      params: { header: { 'Idempotency-Key': randomUUID() } },
      body: { workOrderId, serial, inputs: sampleInputs(serial, DEVICES) },
    });
    assert.equal(refused.response.status, 409);
    assert.equal((refused.error as { code?: string } | undefined)?.code, 'WORK_ORDER_EXHAUSTED');
  });
});
