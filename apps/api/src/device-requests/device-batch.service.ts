import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { productNotFound } from '../catalogue/catalog-errors.js';
import { LayoutCache } from '../catalogue/layout-cache.js';
import { formatSerial } from '../catalogue/serials.js';
import { AppError } from '../errors/app-error.js';
import { ERROR_CATALOGUE } from '../errors/error-catalogue.js';
import { appErrorOf } from '../http/library-errors.js';
import { IdentityService, type IssuedIdentity } from '../identity/identity.service.js';
import { JobQueue } from '../jobs/job-queue.js';
import { enqueueManyAfterCommit } from './enqueue-job.js';
import { ProvisioningMetrics } from '../metrics/provisioning-metrics.js';
import type { DeviceRecord } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { Transactions, type Repositories } from '../repositories/transactions.js';
import { WorkOrderRepository } from '../repositories/work-order-repository.js';
import type {
  DeviceBatchItem,
  DeviceBatchRequest,
  DeviceBatchResponse,
  DeviceBatchResult,
} from './device-batch.schemas.js';
import { creationEvent, newDevice, type Creation } from './device-requests.service.js';
import { toDeviceSummary } from './device-views.js';
import { assertSameRequest, RequestHasher, type RequestDigest } from './idempotency.js';
import { preflightDeviceRequest } from './input-preflight.js';
import { serialAlreadyUsed, workOrderExhausted } from './provisioning-errors.js';
import { resolveTarget, type RequestTarget } from './request-target.js';

/** The operation named in each item's request hash (docs/api-domain.md, "Idempotent device requests"). */
export const BATCH_OPERATION = 'POST /v1/work-orders/{id}/devices';
/** Identities issued at once (HSM key generation and signing run in parallel up to this). */
const ISSUE_CONCURRENCY = 16;
/** Devices stored per transaction (the work order's quota row is locked for one chunk at a time). */
const STORE_CHUNK = 100;

/** An item still to be made: its index, its key and hash, and (once known) its serial. */
interface Pending {
  readonly index: number;
  readonly item: DeviceBatchItem;
  readonly key: string;
  readonly hash: RequestDigest;
  serial?: string;
  identity?: IssuedIdentity;
}

/** Item i's own idempotency key: the call's key and its index. */
export const itemKey = (key: string, index: number): string => `${key}/${index}`;

/**
 * Batches of device requests (`POST /v1/work-orders/{id}/devices`): up to 1,000 devices of one
 * work order in one idempotent call, each item idempotent under `<Idempotency-Key>/<index>`, each
 * with its own result. The cheap work is done once for the whole batch (one look-up of earlier
 * items, one read of the quota, one range of serials, one check of given serials), identities
 * are issued in parallel, and devices are stored in chunks, each in one transaction that locks the
 * work order's quota row: across batches and API processes the quota holds (the same row lock
 * orders single requests).
 */
@Injectable()
export class DeviceBatchService {
  readonly #logger = new Logger(DeviceBatchService.name);

  constructor(
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(ProductRepository) private readonly products: ProductRepository,
    @Inject(LayoutRepository) private readonly layoutRecords: LayoutRepository,
    @Inject(WorkOrderRepository) private readonly workOrders: WorkOrderRepository,
    @Inject(IdentityService) private readonly identities: IdentityService,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(LayoutCache) private readonly layouts: LayoutCache,
    @Inject(ProvisioningMetrics) private readonly metrics: ProvisioningMetrics,
    @Inject(RequestHasher) private readonly requestHasher: RequestHasher,
  ) {}

  /**
   * Requests every item; answers each item's outcome in request order. Resending the same call
   * replays the items made and retries the failed ones.
   *
   * @throws AppError WORK_ORDER_NOT_FOUND, WORK_ORDER_CLOSED (nothing of the batch made now);
   *   HsmError or a database failure (items stored before it stay stored: resend to finish).
   */
  async request(
    principal: Principal,
    key: string,
    workOrderId: string,
    request: DeviceBatchRequest,
  ): Promise<DeviceBatchResponse> {
    const results: DeviceBatchResult[] = [];
    const pending = await this.#replays(principal, key, workOrderId, request, results);
    if (pending.length > 0) {
      const target = await this.#target(workOrderId, pending, results);
      if (target !== undefined) await this.#make(principal, target, pending, results);
    }
    results.sort((a, b) => a.index - b.index);
    const count = (status: DeviceBatchResult['status']) => results.filter((r) => r.status === status).length;
    return { workOrderId, created: count('created'), replayed: count('replayed'), failed: count('error'), results };
  }

  /** Answers the items an earlier call made (or refuses a changed one); returns the others. */
  async #replays(
    principal: Principal,
    key: string,
    workOrderId: string,
    request: DeviceBatchRequest,
    results: DeviceBatchResult[],
  ): Promise<Pending[]> {
    const items = await Promise.all(
      request.items.map(async (item, index) => ({
        index,
        item,
        key: itemKey(key, index),
        hash: await this.requestHasher.digest(BATCH_OPERATION, { workOrderId, ...item }),
      })),
    );
    const earlier = await this.devices.findByIdempotencyKeys(
      principal.tokenId,
      items.map((item) => item.key),
    );
    const pending: Pending[] = [];
    for (const item of items) {
      const device = earlier.get(item.key);
      if (device === undefined) pending.push(item);
      else results.push(this.#replayed(item.index, device, item.hash));
    }
    return pending;
  }

  #replayed(index: number, device: DeviceRecord, hash: RequestDigest): DeviceBatchResult {
    try {
      assertSameRequest(device.requestHash, hash, device.id);
    } catch (error) {
      return failed(index, error);
    }
    return { index, status: 'replayed', device: toDeviceSummary(device), error: null };
  }

  /** The work order's target, and the items beyond its quota (as last read) refused before any work. */
  async #target(
    workOrderId: string,
    pending: Pending[],
    results: DeviceBatchResult[],
  ): Promise<RequestTarget | undefined> {
    const repositories = { products: this.products, layouts: this.layoutRecords, workOrders: this.workOrders };
    let target: RequestTarget;
    try {
      target = await resolveTarget(repositories, this.layouts, { workOrderId, inputs: {} });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'WORK_ORDER_EXHAUSTED') throw error;
      for (const item of pending) results.push(failed(item.index, error));
      return undefined;
    }
    return target;
  }

  async #make(
    principal: Principal,
    target: RequestTarget,
    pending: Pending[],
    results: DeviceBatchResult[],
  ): Promise<void> {
    const valid = await this.#preflight(target, pending, results);
    const order = target.workOrder;
    const available = order === null ? valid.length : Math.max(0, order.quantity - order.issued);
    for (const item of valid.slice(available)) {
      results.push(failed(item.index, workOrderExhausted(order?.id ?? '', order?.quantity ?? 0)));
    }
    const issuable = valid.slice(0, available);
    if (issuable.length === 0) return;
    await this.#assignSerials(target, issuable);
    const issuance = this.#issueInOrder(target, issuable, results);
    try {
      // Chunk k is stored while the identities of chunk k+1 are being issued.
      for (let start = 0; start < issuable.length; start += STORE_CHUNK) {
        const chunk = issuable.slice(start, start + STORE_CHUNK);
        await issuance.settled(start + chunk.length);
        try {
          const made = chunk.filter((item) => item.identity !== undefined);
          if (made.length > 0) await this.#storeChunk(principal, target, made, results);
        } finally {
          for (const item of chunk) item.identity?.image.data.fill(0); // the only copies of the secrets
        }
      }
    } finally {
      await issuance.stop();
      for (const item of issuable) item.identity?.image.data.fill(0);
    }
  }

  /** Checks each item's serial and inputs against the layout (as POST /v1/devices does); no HSM work. */
  async #preflight(target: RequestTarget, pending: Pending[], results: DeviceBatchResult[]): Promise<Pending[]> {
    const { layout } = target.layout;
    const sequenced = formatSerial(target.product.serialPrefix, target.product.serialNext);
    const given = pending.flatMap((item) => (item.item.serial === undefined ? [] : [item.item.serial]));
    const taken = await this.devices.serialsTaken(target.product.id, given);
    const seen = new Set<string>();
    const valid: Pending[] = [];
    for (const item of pending) {
      const { serial, inputs } = item.item;
      try {
        preflightDeviceRequest(layout, inputs, serial, sequenced);
        if (serial !== undefined && (taken.has(serial) || seen.has(serial))) throw serialAlreadyUsed(target.product.id);
        if (serial !== undefined) seen.add(serial);
        valid.push(item);
      } catch (error) {
        results.push(failed(item.index, error));
      }
    }
    return valid;
  }

  /** Given serials as given; the others from the product sequence, one range for the batch. */
  async #assignSerials(target: RequestTarget, items: Pending[]): Promise<void> {
    const sequenced = items.filter((item) => item.item.serial === undefined);
    const first = sequenced.length === 0 ? 0 : await this.products.nextSerials(target.product.id, sequenced.length);
    if (first === undefined) throw productNotFound(target.product.id);
    sequenced.forEach((item, offset) => (item.serial = formatSerial(target.product.serialPrefix, first + offset)));
    for (const item of items) item.serial ??= item.item.serial;
  }

  /**
   * Issues the identities, ISSUE_CONCURRENCY at a time, in item order; an item that cannot be
   * issued gets its error. `settled(n)` resolves once the first n items are issued or failed (and
   * rejects with the error that stopped issuance, if any); `stop()` lets no further item start and
   * waits for those running.
   */
  #issueInOrder(
    target: RequestTarget,
    items: Pending[],
    results: DeviceBatchResult[],
  ): { settled: (count: number) => Promise<void>; stop: () => Promise<void> } {
    let next = 0;
    let done = 0; // items[0..done) are settled
    const finished = new Array<boolean>(items.length).fill(false);
    let failure: { error: unknown } | undefined;
    let waiter: { count: number; wake: () => void } | undefined;
    const wakeWaiter = () => {
      if (waiter !== undefined && (done >= waiter.count || failure !== undefined)) waiter.wake();
    };
    const worker = async (): Promise<void> => {
      while (next < items.length && failure === undefined) {
        const index = next++;
        const item = items[index]!;
        try {
          item.identity = await this.identities.issue({
            product: target.product.id,
            serial: item.serial ?? '',
            layout: target.layout.layout,
            inputs: item.item.inputs,
          });
        } catch (error) {
          if (isItemError(error)) results.push(failed(item.index, error));
          else failure ??= { error };
        }
        finished[index] = true;
        while (done < items.length && finished[done]) done += 1;
        wakeWaiter();
      }
    };
    const workers = Promise.all(Array.from({ length: Math.min(ISSUE_CONCURRENCY, items.length) }, worker));
    return {
      settled: async (count) => {
        if (done < count && failure === undefined) {
          await new Promise<void>((wake) => {
            waiter = { count, wake };
          });
          waiter = undefined;
        }
        if (failure !== undefined) throw failure.error;
      },
      stop: async () => {
        next = items.length;
        await workers;
      },
    };
  }

  /**
   * One transaction: lock the quota row, store as many devices as the quota has units for (the
   * rest: WORK_ORDER_EXHAUSTED), count them issued; then enqueue the jobs of those stored.
   */
  async #storeChunk(
    principal: Principal,
    target: RequestTarget,
    items: Pending[],
    results: DeviceBatchResult[],
  ): Promise<void> {
    const outcome = await this.transactions.run((repositories) =>
      this.#storeLocked(repositories, principal, target, items),
    );
    results.push(...outcome.results);
    const deps = { jobs: this.jobs, metrics: this.metrics, logger: this.#logger };
    await enqueueManyAfterCommit(deps, outcome.created, target.product.line);
  }

  /**
   * Inserts the chunk's devices in one statement per round: as many as the quota has units left;
   * those skipped for a conflict (a replay of the key, a taken serial) free their units for the
   * next items, exactly as storing them one by one would.
   */
  async #storeLocked(
    repositories: Repositories,
    principal: Principal,
    target: RequestTarget,
    items: Pending[],
  ): Promise<{ results: DeviceBatchResult[]; created: DeviceRecord[] }> {
    const order = target.workOrder;
    let units = order === null ? items.length : ((await repositories.workOrders.lockQuota(order.id)) ?? 0);
    const results: DeviceBatchResult[] = [];
    const created: DeviceRecord[] = [];
    const event = creationEvent(principal);
    let rest = items;
    while (rest.length > 0 && units > 0) {
      const round = rest.slice(0, units);
      rest = rest.slice(round.length);
      const stored = await repositories.devices.createMany(
        round.map((item) => newDevice(this.#creation(principal, target, item), item.identity!)),
        event,
      );
      const skipped: Pending[] = [];
      for (const item of round) {
        const device = stored.get(item.key);
        if (device === undefined) {
          skipped.push(item);
          continue;
        }
        created.push(device);
        units -= 1;
        results.push({ index: item.index, status: 'created', device: toDeviceSummary(device), error: null });
      }
      if (skipped.length > 0) results.push(...(await this.#skipped(repositories, principal, target, skipped)));
    }
    for (const item of rest) {
      this.metrics.identitiesDiscarded.inc({ reason: 'quota' });
      results.push(failed(item.index, workOrderExhausted(order?.id ?? '', order?.quantity ?? 0)));
    }
    if (order !== null) await repositories.workOrders.addIssued(order.id, created.length);
    return { results, created };
  }

  #creation(principal: Principal, target: RequestTarget, item: Pending): Creation {
    return { principal, idempotencyKey: item.key, requestHash: item.hash.keyed, target, serial: item.serial ?? '' };
  }

  /** Items the insert skipped: replays of a key stored meanwhile, or serials taken meanwhile. */
  async #skipped(
    repositories: Repositories,
    principal: Principal,
    target: RequestTarget,
    items: Pending[],
  ): Promise<DeviceBatchResult[]> {
    const found = await repositories.devices.findByIdempotencyKeys(
      principal.tokenId,
      items.map((item) => item.key),
    );
    return items.map((item) => {
      const device = found.get(item.key);
      this.metrics.identitiesDiscarded.inc({ reason: device === undefined ? 'serial-taken' : 'replayed' });
      if (device === undefined) return failed(item.index, serialAlreadyUsed(target.product.id));
      return this.#replayed(item.index, device, item.hash);
    });
  }
}

/** An error that is the item's own (a 4xx of the catalogue), not the service's. */
function isItemError(error: unknown): boolean {
  const mapped = error instanceof AppError ? error : appErrorOf(error);
  if (mapped === undefined) return false;
  const status = ERROR_CATALOGUE[mapped.code].status;
  return status !== null && status >= 400 && status < 500;
}

/** Item i's error result; field paths say `body.items[i].…` instead of `body.…`. */
function failed(index: number, error: unknown): DeviceBatchResult {
  const mapped = error instanceof AppError ? error : appErrorOf(error);
  if (mapped === undefined) throw error;
  const path = (text: string) => text.replace(/^body\./, `body.items[${index}].`);
  return {
    index,
    status: 'error',
    device: null,
    error: {
      code: mapped.code,
      detail: mapped.detail,
      errors: mapped.errors.map((issue) => ({ path: path(issue.path), message: issue.message })),
    },
  };
}
