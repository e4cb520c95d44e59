import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectData, type IngrainClient } from '#ingrain/api-client';
import { REPO_ROOT } from '../paths.js';

/** A product the admin creates with one layout of examples/layouts. */
export interface StackProduct {
  readonly id: string;
  readonly name: string;
  /** A file name under examples/layouts. */
  readonly layoutFile: string;
}

/** The sample product of the demo, the tests and bench:e2e: examples/layouts/sensor-node.yaml (STM32F4). */
export const SAMPLE_PRODUCT = { id: 'sensor-node', name: 'Sensor node', layoutFile: 'sensor-node.yaml' } as const;

export interface CatalogOptions {
  /** Production line (its queue is {ingrain-line-<line>}). */
  readonly line: string;
  /** Station ids to register on the line. */
  readonly stationIds: readonly string[];
  /** Station id → the SEC1 hex of its sealing public key (keygen's), registered with the station. */
  readonly stationPublicKeys: ReadonlyMap<string, string>;
  /** Serial prefix of the product. Default `SN-`. */
  readonly serialPrefix?: string;
  /** Default {@link SAMPLE_PRODUCT}. */
  readonly product?: StackProduct;
}

/** What an admin set up: the product and its layout, stations and the tokens of each party. */
export interface Catalog {
  readonly productId: string;
  readonly layoutVersion: number;
  readonly line: string;
  /** Station id → its API token (shown once by the API: keep it). */
  readonly stationTokens: ReadonlyMap<string, string>;
  readonly mesToken: string;
  readonly auditorToken: string;
}

/**
 * Does what an administrator does once, through the generated client: creates the product (the sample
 * one by default) with its layout, registers the stations with their sealing public keys (each gets its
 * token) and makes an MES and an auditor token.
 */
export async function seedCatalog(admin: IngrainClient, options: CatalogOptions): Promise<Catalog> {
  const product = options.product ?? SAMPLE_PRODUCT;
  const source = await readFile(join(REPO_ROOT, 'examples', 'layouts', product.layoutFile), 'utf8');
  const productId = product.id;
  expectData(
    await admin.POST('/v1/products', {
      body: {
        id: productId,
        name: product.name,
        line: options.line,
        serialPrefix: options.serialPrefix ?? 'SN-',
      },
    }),
  );
  const layout = expectData(
    await admin.POST('/v1/products/{id}/layouts', { params: { path: { id: productId } }, body: { source } }),
  );
  const stationTokens = new Map<string, string>();
  for (const id of options.stationIds) {
    const sealingPublicKey = options.stationPublicKeys.get(id);
    if (sealingPublicKey === undefined) throw new Error(`station ${id} has no sealing key`);
    const created = expectData(
      await admin.POST('/v1/stations', { body: { id, name: `Station ${id}`, line: options.line, sealingPublicKey } }),
    );
    stationTokens.set(id, created.token.token);
  }
  const token = async (name: string, role: 'mes' | 'auditor') =>
    expectData(await admin.POST('/v1/tokens', { body: { name, role } })).token;
  return {
    productId,
    layoutVersion: layout.version,
    line: options.line,
    stationTokens,
    mesToken: await token('mes', 'mes'),
    auditorToken: await token('auditor', 'auditor'),
  };
}
