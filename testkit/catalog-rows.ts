// Catalog rows for driving the in-process provisioning API as an MES would: shared by the
// provisioning integration tests and bench:api. Rows are written with the repositories (the
// catalog endpoints are not what these exercise); the reports a station sends are in station-reports.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testStationKey, type TestStationKey } from '#ingrain/crypto/testing';
import { layoutDigest, parseLayout, type Layout } from '#ingrain/otp';
import type { Executor } from '../apps/api/src/database/executor.js';
import { toLayoutDocument } from '../apps/api/src/catalogue/layout-document.js';
import { LayoutRepository } from '../apps/api/src/repositories/layout-repository.js';
import { ProductRepository } from '../apps/api/src/repositories/product-repository.js';
import { StationRepository } from '../apps/api/src/repositories/station-repository.js';
import { WorkOrderRepository } from '../apps/api/src/repositories/work-order-repository.js';
import { REPO_ROOT } from './paths.js';

/** The example layouts of examples/layouts with their sample inputs. */
export type ExampleName = 'sensor-node' | 'gateway-f7' | 'motor-drive-g4';

export interface ExampleLayout {
  readonly layout: Layout;
  readonly inputs: Record<string, unknown>;
}

export async function loadExample(name: ExampleName): Promise<ExampleLayout> {
  const read = (path: string) => readFile(join(REPO_ROOT, path), 'utf8');
  const layout = parseLayout(await read(`examples/layouts/${name}.yaml`));
  const inputs = JSON.parse(await read(`examples/values/${name}.json`)) as Record<string, unknown>;
  return { layout, inputs };
}

/** What seedCatalogRows stored. */
export interface SeededCatalog {
  readonly productId: string;
  readonly line: string;
  readonly layout: Layout;
  readonly layoutVersion: number;
  /**
   * The MES's inputs of a device request: the sample values without `serial`, which the request's
   * serial (given or from the sequence) writes into the layout's serial field (docs/layouts.md).
   */
  readonly inputs: Record<string, unknown>;
  readonly stationId: string;
  /** The station's sealing key pair; its public key is registered (claims are sealed to it). */
  readonly stationKey: TestStationKey;
  /** A work order of `quantity` devices. */
  readonly workOrderId: string;
}

export interface SeedOptions {
  /** An example of examples/, or a layout of the caller's with its inputs (default sensor-node). */
  readonly example?: ExampleName | ExampleLayout;
  readonly quantity?: number;
  readonly serialPrefix?: string;
}

let seedCounter = 0;

/**
 * A product (ids unique per call) with one example layout (version 1, stored as S1 stores it:
 * normalized document and digest), a station on its line with a registered sealing key, and an
 * open work order.
 */
export async function seedCatalogRows(db: Executor, options: SeedOptions = {}): Promise<SeededCatalog> {
  const n = `${process.pid}-${++seedCounter}`;
  const example = options.example ?? 'sensor-node';
  const { layout, inputs } = typeof example === 'string' ? await loadExample(example) : example;
  const productId = `${layout.name}-${n}`;
  const line = `line-${n}`;
  await new ProductRepository(db).create({
    id: productId,
    name: `Product ${n}`,
    line,
    serialPrefix: options.serialPrefix ?? 'SN-',
  });
  const stored = await new LayoutRepository(db).add(productId, {
    sourceText: JSON.stringify(toLayoutDocument(layout)),
    definition: toLayoutDocument(layout),
    digest: layoutDigest(layout),
    family: layout.family,
  });
  if (stored === undefined) throw new Error('seed layout was not stored');
  const stationId = `station-${n}`;
  const stationKey = testStationKey();
  await new StationRepository(db).create({
    id: stationId,
    name: `Station ${n}`,
    line,
    sealingPublicKey: stationKey.publicKey,
  });
  const order = await new WorkOrderRepository(db).create({
    productId,
    layoutVersion: stored.version,
    quantity: options.quantity ?? 100,
  });
  const { serial: _serial, ...requestInputs } = inputs;
  return {
    productId,
    line,
    layout,
    layoutVersion: stored.version,
    inputs: requestInputs,
    stationId,
    stationKey,
    workOrderId: order.id,
  };
}
