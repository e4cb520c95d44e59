import { createHash, randomUUID } from 'node:crypto';
import { after, afterEach, before } from 'node:test';
import { type DatabaseKind, type Executor } from '../../apps/api/src/database/index.js';
import {
  LayoutRepository,
  type NewDevice,
  ProductRepository,
  StationRepository,
  WorkOrderRepository,
} from '../../apps/api/src/repositories/index.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from '../../testkit/database.js';
import { type PostgresServer, startPostgres } from '../../testkit/postgres.js';

// The test-only parts of the database helpers: suites over both kinds, seed rows. Opening a test
// database is the testkit's (testkit/database.ts), which the in-process API shares with bench:api.

/** Both kinds, for suites that run the same checks on each. */
export const DATABASE_KINDS: readonly DatabaseKind[] = ['pglite', 'postgres'];

/**
 * For a node:test suite (call inside describe): starts one PostgreSQL server for the suite when
 * `kind` is postgres (stopped after it), and returns `open()`, which creates a fresh test database
 * that is cleaned up after the current test, pass or fail.
 */
export function useTestDatabases(
  kind: DatabaseKind,
  options: Omit<TestDatabaseOptions, 'server'> = {},
): () => Promise<TestDatabase> {
  let server: PostgresServer | undefined;
  const opened: TestDatabase[] = [];
  before(async () => {
    if (kind === 'postgres') server = await startPostgres();
  });
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((db) => db.cleanup()));
  });
  after(async () => {
    await Promise.allSettled(opened.splice(0).map((db) => db.cleanup()));
    await server?.stop();
  });
  return async () => {
    const db = await createTestDatabase(kind, { ...options, server });
    opened.push(db);
    return db;
  };
}

/** What seedProduction stored. */
export interface SeededProduction {
  readonly productId: string;
  readonly layoutVersion: number;
  readonly stationId: string;
  readonly workOrderId: string;
}

let seedCounter = 0;

/**
 * Stores the rows a device needs: a product with one layout, a station on its line and an open
 * work order (quantity 10 unless given). Ids are unique per call, so one database can hold several.
 */
export async function seedProduction(db: Executor, options: { quantity?: number } = {}): Promise<SeededProduction> {
  const n = ++seedCounter;
  const product = await new ProductRepository(db).create({ id: `sensor-${n}`, name: `Sensor ${n}`, line: `line-${n}` });
  const layout = await new LayoutRepository(db).add(product.id, {
    sourceText: `name: sensor-${n}\nversion: 1\nfamily: stm32f4\n`,
    definition: { name: `sensor-${n}`, version: 1, family: 'stm32f4', fields: [] },
    digest: createHash('sha256').update(`layout ${n}`).digest('hex'),
    family: 'stm32f4',
  });
  if (layout === undefined) throw new Error('seed layout was not stored');
  const station = await new StationRepository(db).create({
    id: `station-${n}`,
    name: `Station ${n}`,
    line: product.line,
  });
  const order = await new WorkOrderRepository(db).create({
    productId: product.id,
    layoutVersion: layout.version,
    quantity: options.quantity ?? 10,
  });
  return { productId: product.id, layoutVersion: layout.version, stationId: station.id, workOrderId: order.id };
}

/** A valid NewDevice for the seeded work order; override any field. */
export function newDeviceFor(seed: SeededProduction, overrides: Partial<NewDevice> = {}): NewDevice {
  const serial = overrides.serial ?? `SN-${randomUUID().slice(0, 8)}`;
  return {
    productId: seed.productId,
    layoutVersion: seed.layoutVersion,
    workOrderId: seed.workOrderId,
    serial,
    idempotencyKey: randomUUID(),
    requestedBy: 'mes-token-1',
    requestHash: createHash('sha256').update(serial).digest(),
    imageData: new Uint8Array(32).fill(0xff),
    lockBlocks: [0],
    secretFields: [],
    ...overrides,
  };
}
