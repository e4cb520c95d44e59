// Persistence of the API (apps/api/src/database, apps/api/src/repositories) against both real
// databases: embedded PGlite and a throwaway PostgreSQL 15 server. Part 1: schema, tokens,
// catalogue, work orders, transactions and error hygiene. Devices: api-repositories-devices.test.ts;
// transparency log and attestations: api-repositories-log.test.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { CONSTRAINTS, Database, DatabaseError, type DatabaseErrorCode } from '../../apps/api/src/database/index.js';
import {
  DeviceRepository,
  LayoutRepository,
  ProductRepository,
  StationRepository,
  TokenRepository,
  WorkOrderRepository,
} from '../../apps/api/src/repositories/index.js';
import { MIGRATIONS } from '../../apps/api/src/database/migrations/index.js';
import { pgliteSnapshot } from '../../testkit/database.js';
import { DATABASE_KINDS, newDeviceFor, seedProduction, useTestDatabases } from '../support/database.js';

const EXPECTED_TABLES = [
  'api_tokens',
  'attestations',
  'console_sessions',
  'device_events',
  'devices',
  'ingrain_migration',
  'ingrain_migration_lock',
  'layouts',
  'log_checkpoints',
  'log_leaves',
  'log_nodes',
  'log_state',
  'products',
  'station_heartbeats',
  'stations',
  'webhook_attempts',
  'webhook_deliveries',
  'webhook_events',
  'webhook_subscriptions',
  'witness_cosignatures',
  'witness_states',
  'witnessed_checkpoints',
  'work_orders',
];

async function rejectsWithCode(work: Promise<unknown>, code: DatabaseErrorCode, constraint?: string): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof DatabaseError, `expected a DatabaseError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (constraint !== undefined) assert.equal(error.constraint, constraint);
    return true;
  });
}

const tokenHash = (secret: string): Uint8Array => createHash('sha256').update(secret).digest();

async function tableNames(database: Database): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' order by table_name
  `.execute(database.kysely);
  return rows.map((row) => row.table_name);
}

/** The URL of another database on the same server. */
const withDatabaseName = (url: string, name: string): string => url.replace(/\/[^/]+$/, `/${name}`);

for (const kind of DATABASE_KINDS) {
  void describe(`API persistence on ${kind}: schema, catalogue, tokens, work orders`, () => {
    const openDatabase = useTestDatabases(kind);

    void test('migrations create exactly the schema and are idempotent', async () => {
      const { database } = await openDatabase();
      assert.deepEqual(await tableNames(database), EXPECTED_TABLES);
      assert.deepEqual(await database.migrate(), []);
      const twice = await Promise.all([database.migrate(), database.migrate()]);
      assert.deepEqual(twice, [[], []]);
      const { rows } = await sql<{ tree_size: number }>`select tree_size from log_state`.execute(database.kysely);
      assert.deepEqual(rows, [{ tree_size: 0 }]);
    });

    if (kind === 'postgres') {
      void test('two processes migrating a new database at once apply each migration once', async () => {
        const { config } = await openDatabase();
        assert.equal(config.kind, 'postgres');
        const maintenanceUrl = withDatabaseName(config.url, 'postgres');
        const name = `ingrain_fresh_${process.pid}`;
        const admin = await Database.open({ kind: 'postgres', url: maintenanceUrl }, { migrate: false });
        try {
          await sql.raw(`create database ${name}`).execute(admin.kysely);
          const url = withDatabaseName(config.url, name);
          const [a, b] = await Promise.all([
            Database.open({ kind: 'postgres', url }, { migrate: false }),
            Database.open({ kind: 'postgres', url }, { migrate: false }),
          ]);
          try {
            const applied = await Promise.all([a.migrate(), b.migrate()]);
            // Each migration once, between both processes.
            assert.deepEqual(applied.flat().sort(), Object.keys(MIGRATIONS).sort());
            assert.deepEqual(await tableNames(a), EXPECTED_TABLES);
          } finally {
            await Promise.all([a.close(), b.close()]);
          }
        } finally {
          await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.kysely);
          await admin.close();
        }
      });

      void test('an unreachable server fails to open with CONNECTION_FAILED', async () => {
        const { config } = await openDatabase();
        assert.equal(config.kind, 'postgres');
        const port = Number(new URL(config.url).port);
        const url = `postgresql://postgres@127.0.0.1:${port === 1 ? 2 : 1}/postgres`;
        await rejectsWithCode(Database.open({ kind: 'postgres', url }), 'CONNECTION_FAILED');
      });
    } else {
      void test('a PGlite data directory persists and reopens without migrating again', async () => {
        const dataDir = await mkdtemp(join(tmpdir(), 'ingrain-pglite-'));
        try {
          const config = { kind: 'pglite', dataDir } as const;
          const first = await Database.open(config, { pgliteSnapshot: await pgliteSnapshot() });
          await new ProductRepository(first.kysely).create({ id: 'kept', name: 'Kept', line: 'l' });
          await first.close();
          await rejectsWithCode(Database.open(config, { pgliteSnapshot: await pgliteSnapshot() }), 'OPEN_FAILED');
          const again = await Database.open(config);
          try {
            assert.deepEqual(await again.migrate(), []);
            assert.equal((await new ProductRepository(again.kysely).get('kept'))?.name, 'Kept');
          } finally {
            await again.close();
          }
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      });
    }

    void test('tokens: create, find by hash, touch, list, revoke', async () => {
      const { database } = await openDatabase();
      const tokens = new TokenRepository(database.kysely);
      const station = await new StationRepository(database.kysely).create({ id: 'st-1', name: 'S1', line: 'l' });
      const admin = await tokens.create({ name: 'first admin', role: 'admin', tokenHash: tokenHash('a') });
      const bound = await tokens.create({
        name: 'st',
        role: 'station',
        stationId: station.id,
        tokenHash: tokenHash('s'),
      });
      assert.equal(admin.stationId, null);
      assert.equal(admin.lastUsedAt, null);
      assert.equal(bound.stationId, 'st-1');
      assert.ok(!('tokenHash' in admin));

      assert.equal((await tokens.findActiveByHash(tokenHash('a')))?.id, admin.id);
      assert.equal(await tokens.findActiveByHash(tokenHash('unknown')), undefined);
      // The principal's station facts come with the token, in one query.
      const admins = await tokens.findActiveByHash(tokenHash('a'));
      assert.deepEqual([admins?.stationLine, admins?.stationSealingKey], [null, null]);
      const stations = new StationRepository(database.kysely);
      assert.deepEqual((await tokens.findActiveByHash(tokenHash('s')))?.stationLine, 'l');
      assert.equal((await tokens.findActiveByHash(tokenHash('s')))?.stationSealingKey, null);
      const key = Uint8Array.from([4, ...new Array<number>(64).fill(9)]);
      await stations.setSealingKey(station.id, key);
      assert.deepEqual((await tokens.findActiveByHash(tokenHash('s')))?.stationSealingKey, key);

      await tokens.touch(admin.id);
      const touched = await tokens.get(admin.id);
      assert.ok(touched?.lastUsedAt instanceof Date);
      await tokens.touch(admin.id); // within the refresh interval: no change
      assert.equal((await tokens.get(admin.id))?.lastUsedAt?.getTime(), touched.lastUsedAt.getTime());

      assert.deepEqual(
        (await tokens.list()).map((t) => t.name),
        ['first admin', 'st'],
      );
      assert.equal(await tokens.revoke(admin.id), true);
      assert.equal(await tokens.revoke(admin.id), false);
      assert.equal(await tokens.revoke('not-a-uuid'), false);
      assert.equal(await tokens.findActiveByHash(tokenHash('a')), undefined);
      assert.ok((await tokens.get(admin.id))?.revokedAt instanceof Date);
    });

    void test('tokens: constraints refuse duplicates, unbound station tokens and unknown roles', async () => {
      const { database } = await openDatabase();
      const tokens = new TokenRepository(database.kysely);
      await tokens.create({ name: 'mes', role: 'mes', tokenHash: tokenHash('m') });
      await rejectsWithCode(
        tokens.create({ name: 'again', role: 'auditor', tokenHash: tokenHash('m') }),
        'UNIQUE_VIOLATION',
        CONSTRAINTS.tokenHash,
      );
      await rejectsWithCode(
        tokens.create({ name: 'st', role: 'station', tokenHash: tokenHash('x') }),
        'CHECK_VIOLATION',
        CONSTRAINTS.tokenStationBinding,
      );
      await rejectsWithCode(
        tokens.create({ name: 'st', role: 'station', stationId: 'nowhere', tokenHash: tokenHash('y') }),
        'FOREIGN_KEY_VIOLATION',
        CONSTRAINTS.tokenStation,
      );
      const badRole = { name: 'root', role: 'root' as 'admin', tokenHash: tokenHash('z') };
      await rejectsWithCode(tokens.create(badRole), 'CHECK_VIOLATION', 'api_tokens_role_check');
      await rejectsWithCode(
        tokens.create({ name: 'short', role: 'mes', tokenHash: new Uint8Array(8) }),
        'CHECK_VIOLATION',
        'api_tokens_token_hash_check',
      );
    });

    void test('database errors carry no SQL, parameters or row values', async () => {
      const { database } = await openDatabase();
      const tokens = new TokenRepository(database.kysely);
      const hash = tokenHash('secret-token');
      await tokens.create({ name: 'one', role: 'mes', tokenHash: hash });
      const error = await tokens.create({ name: 'two-distinctive-name', role: 'mes', tokenHash: hash }).then(
        () => assert.fail('duplicate hash accepted'),
        (e: unknown) => e,
      );
      const everything = JSON.stringify({ error, cause: (error as Error).cause, message: (error as Error).message });
      const hex = Buffer.from(hash).toString('hex');
      for (const leak of [hex, 'two-distinctive-name', 'insert into', 'values (', '$1']) {
        assert.ok(!everything.toLowerCase().includes(leak.toLowerCase()), `error mentions ${leak}: ${everything}`);
      }
      assert.equal((error as DatabaseError).constraint, CONSTRAINTS.tokenHash);
    });

    void test('products, stations and layouts: versions and serials are handed out atomically', async () => {
      const { database } = await openDatabase();
      const products = new ProductRepository(database.kysely);
      const layouts = new LayoutRepository(database.kysely);
      const stations = new StationRepository(database.kysely);
      const product = await products.create({ id: 'sensor', name: 'Sensor', line: 'l1', serialPrefix: 'SN' });
      assert.deepEqual([product.serialPrefix, product.serialNext, product.latestLayoutVersion], ['SN', 1, 0]);
      await rejectsWithCode(
        products.create({ id: 'sensor', name: 'x', line: 'l' }),
        'UNIQUE_VIOLATION',
        'products_pkey',
      );
      await products.create({ id: 'actuator', name: 'Actuator', line: 'l2' });
      assert.deepEqual(
        (await products.list()).map((p) => p.id),
        ['actuator', 'sensor'],
      );

      const serials = await Promise.all(Array.from({ length: 25 }, () => products.nextSerial('sensor')));
      assert.deepEqual(
        [...serials].sort((a, b) => (a ?? 0) - (b ?? 0)),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      assert.equal(await products.nextSerial('unknown'), undefined);
      assert.equal((await products.get('sensor'))?.serialNext, 26);

      const layout = (n: number) => ({
        sourceText: `version: ${n}\n`,
        definition: { n, fields: [{ name: 'serial', secret: false }] },
        digest: createHash('sha256').update(String(n)).digest('hex'),
        family: 'stm32f4',
      });
      const added = await Promise.all(Array.from({ length: 8 }, (_, i) => layouts.add('sensor', layout(i))));
      assert.deepEqual(added.map((l) => l?.version).sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.equal((await layouts.latest('sensor'))?.version, 8);
      const third = added.find((l) => l?.version === 3);
      assert.deepEqual(await layouts.get('sensor', 3), third);
      assert.deepEqual(third?.definition, layout(added.indexOf(third)).definition);
      assert.equal(await layouts.add('unknown', layout(1)), undefined);
      assert.equal(await layouts.latest('actuator'), undefined);
      assert.equal(await layouts.get('sensor', 99), undefined);
      assert.equal((await layouts.list('sensor')).length, 8);
      await rejectsWithCode(
        layouts.add('sensor', { ...layout(9), digest: 'NOT-HEX' }),
        'CHECK_VIOLATION',
        'layouts_digest_check',
      );
      // Layout rows are never updated: a change is a new version.
      await rejectsWithCode(
        database.kysely.updateTable('layouts').set({ family: 'stm32f7' }).where('product_id', '=', 'sensor').execute(),
        'IMMUTABLE_ROW',
      );

      await stations.create({ id: 'st-b', name: 'B', line: 'l1' });
      await stations.create({ id: 'st-a', name: 'A', line: 'l1' });
      assert.deepEqual(
        (await stations.list()).map((s) => s.id),
        ['st-a', 'st-b'],
      );
      assert.equal((await stations.get('st-a'))?.name, 'A');
      await rejectsWithCode(stations.create({ id: 'st-a', name: 'A', line: 'l' }), 'UNIQUE_VIOLATION', 'stations_pkey');
    });

    void test('work orders: tryIssue under 50 concurrent calls never exceeds the quantity', async () => {
      const testDb = await openDatabase();
      const seed = await seedProduction(testDb.database.kysely, { quantity: 20 });
      // A second Database on the same data: on PostgreSQL a second process with its own pool.
      const second = testDb.kind === 'postgres' ? await Database.open(testDb.config, { migrate: false }) : undefined;
      try {
        const first = new WorkOrderRepository(testDb.database.kysely);
        const other = new WorkOrderRepository((second ?? testDb.database).kysely);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? first : other).tryIssue(seed.workOrderId)),
        );
        assert.equal(results.filter((r) => r).length, 20);
        assert.equal(results.filter((r) => !r).length, 30);
        assert.equal((await first.get(seed.workOrderId))?.issued, 20);
      } finally {
        await second?.close();
      }
    });

    void test('work orders: create, close once, no issuing after close, counts from devices', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely, { quantity: 3 });
      const orders = new WorkOrderRepository(database.kysely);
      await rejectsWithCode(
        orders.create({ productId: seed.productId, layoutVersion: 7, quantity: 1 }),
        'FOREIGN_KEY_VIOLATION',
        CONSTRAINTS.workOrderLayout,
      );
      await rejectsWithCode(
        orders.create({ productId: seed.productId, layoutVersion: seed.layoutVersion, quantity: 0 }),
        'CHECK_VIOLATION',
        'work_orders_quantity_check',
      );
      assert.equal(await orders.tryIssue(seed.workOrderId), true);
      const devices = new DeviceRepository(database.kysely);
      const created = await Promise.all(
        ['A', 'B', 'C'].map((serial) => devices.create(newDeviceFor(seed, { serial }))),
      );
      const [a, b, c] = created.map((r) => r.device.id);
      assert.ok(a !== undefined && b !== undefined && c !== undefined);
      await devices.claim(a, new Uint8Array([1]), seed.stationId);
      await devices.transition(a, 'provision', { actor: 'api' });
      await devices.claim(b, new Uint8Array([2]), seed.stationId);
      await devices.transition(b, 'quarantine', { actor: 'api', details: { diff: [] } });
      await devices.transition(c, 'scrap', { actor: 'admin', reason: 'dropped' });
      assert.deepEqual(await orders.counts(seed.workOrderId), {
        planned: 3,
        issued: 1,
        queued: 0,
        claimed: 0,
        provisioned: 1,
        failed: 2,
        quarantined: 1,
        scrapped: 1,
      });

      const report = { signed: 'report', counts: { provisioned: 1 } };
      const closed = await orders.close(seed.workOrderId, report);
      assert.equal(closed?.status, 'closed');
      assert.deepEqual(closed?.report, report);
      assert.ok(closed?.closedAt instanceof Date);
      assert.equal(await orders.close(seed.workOrderId, { other: true }), undefined);
      assert.deepEqual((await orders.get(seed.workOrderId))?.report, report);
      assert.equal(await orders.tryIssue(seed.workOrderId), false);
      assert.equal(await orders.counts('00000000-0000-4000-8000-000000000000'), undefined);
      assert.equal(await orders.get('nope'), undefined);
    });

    void test('a transaction commits or rolls back as a whole, and others never see inside it', async () => {
      const { database } = await openDatabase();
      const stations = new StationRepository(database.kysely);
      let insideWrote!: () => void;
      const wrote = new Promise<void>((resolve) => (insideWrote = resolve));
      const failing = database.transaction(async (trx) => {
        await new StationRepository(trx).create({ id: 'inside', name: 'I', line: 'l' });
        insideWrote();
        await sleep(50);
        throw new Error('roll back');
      });
      await wrote;
      // Runs while the transaction is open: it must neither see nor join it.
      const outside = stations.create({ id: 'outside', name: 'O', line: 'l' });
      await assert.rejects(failing, /roll back/);
      await outside;
      assert.equal(await stations.get('inside'), undefined);
      assert.equal((await stations.get('outside'))?.name, 'O');

      await database.transaction(async (trx) => {
        await new StationRepository(trx).create({ id: 'committed', name: 'C', line: 'l' });
      });
      assert.equal((await stations.get('committed'))?.name, 'C');
    });
  });
}
