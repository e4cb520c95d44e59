// Catalog rows and station reports for driving the provisioning API as an MES and a station would:
// shared by the provisioning integration tests and bench:api. Rows are written with the
// repositories (the catalog endpoints are not what these exercise).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getProfile, layoutDigest, parseLayout, type ChipFamily, type Layout } from '#ingrain/otp';
import { tryHexToBytes } from '#ingrain/encoding';
import type { Executor } from '../../apps/api/src/database/executor.js';
import type { StationReportBody } from '#ingrain/contracts';
import { toLayoutDocument } from '../../apps/api/src/catalogue/layout-document.js';
import { LayoutRepository } from '../../apps/api/src/repositories/layout-repository.js';
import { ProductRepository } from '../../apps/api/src/repositories/product-repository.js';
import { StationRepository } from '../../apps/api/src/repositories/station-repository.js';
import { WorkOrderRepository } from '../../apps/api/src/repositories/work-order-repository.js';
import { REPO_ROOT } from '../../test/support/paths.js';

/** The example layouts of examples/layouts with their sample inputs. */
export type ExampleName = 'sensor-node' | 'gateway-f7';

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

/** What seedCatalog stored. */
export interface SeededCatalog {
  readonly productId: string;
  readonly line: string;
  readonly layout: Layout;
  readonly layoutVersion: number;
  readonly inputs: Record<string, unknown>;
  readonly stationId: string;
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
 * normalized document and digest), a station on its line and an open work order.
 */
export async function seedCatalog(db: Executor, options: SeedOptions = {}): Promise<SeededCatalog> {
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
  await new StationRepository(db).create({ id: stationId, name: `Station ${n}`, line });
  const order = await new WorkOrderRepository(db).create({
    productId,
    layoutVersion: stored.version,
    quantity: options.quantity ?? 100,
  });
  return { productId, line, layout, layoutVersion: stored.version, inputs, stationId, workOrderId: order.id };
}

/** The parts of a claim response a report is made from (see DeviceClaim). */
export interface ClaimedImage {
  readonly chipUid: string;
  readonly jobId: string | null;
  readonly image: { readonly family: string; readonly dataHex: string; readonly lockBytesHex: string };
  readonly secretRanges: readonly { readonly offsetBytes: number; readonly lengthBytes: number }[];
}

/** The claimed image's data with every secret range zeroed (what a station reports). */
export function maskedData(claim: ClaimedImage): Uint8Array {
  const data = tryHexToBytes(claim.image.dataHex);
  if (data === undefined) throw new Error('claim dataHex is not hex');
  for (const range of claim.secretRanges) data.fill(0, range.offsetBytes, range.offsetBytes + range.lengthBytes);
  return data;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * The report of a station that wrote and locked exactly the claimed image: outcome `provisioned`,
 * the masked read-back, the expected lock bytes, the bound UID. Override any member.
 */
export function successReport(claim: ClaimedImage, overrides: Partial<StationReportBody> = {}): StationReportBody {
  const family = claim.image.family as ChipFamily;
  const data = maskedData(claim);
  const finishedAt = new Date();
  return {
    outcome: 'provisioned',
    chipUid: claim.chipUid,
    productId: getProfile(family).productIds[0] ?? 0,
    family,
    otpData: hex(data),
    lockBytes: claim.image.lockBytesHex,
    bytesWritten: data.length,
    blocksLocked: claim.image.lockBytesHex.match(/00/g)?.length ?? 0,
    durationsMs: { connect: 5, identify: 2, read: 10, plan: 0, write: 40, verify: 12, lock: 3 },
    totalMs: 72,
    wire: { bytesSent: 1200, bytesReceived: 1800, roundTrips: 40 },
    confirmReads: { count: 2, wire: { bytesSent: 20, bytesReceived: 1100, roundTrips: 4 }, durationMs: 8 },
    error: null,
    startedAt: new Date(finishedAt.getTime() - 72).toISOString(),
    finishedAt: finishedAt.toISOString(),
    ...(claim.jobId === null ? {} : { jobId: claim.jobId }),
    ...overrides,
  };
}

/** A report of a link error before anything was written (the device stays claimed). */
export function linkErrorReport(claim: ClaimedImage, overrides: Partial<StationReportBody> = {}): StationReportBody {
  return successReport(claim, {
    outcome: 'link-error',
    otpData: null,
    lockBytes: null,
    bytesWritten: 0,
    blocksLocked: 0,
    error: { code: 'BOOTLOADER_TIMEOUT', phase: 'connect', stage: 'sync', message: 'no answer to 0x7F' },
    ...overrides,
  });
}

/** A random chip UID (12 bytes, as STM32 UIDs are), lowercase hex. */
export function randomChipUid(): string {
  return randomUUID().replace(/-/g, '').slice(0, 24);
}
