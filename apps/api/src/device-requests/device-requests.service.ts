import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { productNotFound } from '../catalogue/catalog-errors.js';
import { LayoutCache } from '../catalogue/layout-cache.js';
import { formatSerial } from '../catalogue/serials.js';
import { CONSTRAINTS } from '../database/constraints.js';
import { isDatabaseError } from '../database/errors.js';
import { isAppError } from '../errors/app-error.js';
import { cursorPage, decodeCursor } from '../http/cursor.js';
import { IdentityService } from '../identity/identity.service.js';
import type { IssuedIdentity } from '../identity/identity.service.js';
import { JobQueue } from '../jobs/job-queue.js';
import { enqueueAfterCommit } from './enqueue-job.js';
import { ProvisioningMetrics, type DiscardReason } from '../metrics/provisioning-metrics.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import type { DeviceEventRecord, DeviceRecord, NewDevice } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { ProductRepository, type ProductRecord } from '../repositories/product-repository.js';
import { Transactions } from '../repositories/transactions.js';
import { WorkOrderRepository } from '../repositories/work-order-repository.js';
import { toDeviceSummary, toDeviceView } from './device-views.js';
import type { CreateDeviceRequest, DeviceList, DeviceListQuery, DeviceView } from './devices.schemas.js';
import { assertSameRequest, RequestHasher, type RequestDigest } from './idempotency.js';
import { preflightDeviceRequest } from './input-preflight.js';
import { deviceNotFound, serialAlreadyUsed, workOrderExhausted, workOrderNotFound } from './provisioning-errors.js';
import { assertIssuable, resolveTarget, type RequestTarget } from './request-target.js';

/** The operation named in the request hash (docs/api-domain.md, "Idempotent device requests"). */
export const CREATE_DEVICE_OPERATION = 'POST /v1/devices';

/** The list name in device cursors (http/cursor.ts); the sort key is the last device's id. */
const DEVICE_LIST = 'devices';
const deviceKey = z.tuple([z.uuid()]);

/** A device request's answer, and whether it replays an earlier request with the same key. */
export interface DeviceOutcome {
  readonly device: DeviceView;
  readonly replayed: boolean;
}

/** The same key was used concurrently and the other request stored first: answer with its device. */
class LostToReplay extends Error {
  constructor(readonly device: DeviceRecord) {
    super('the idempotency key was used concurrently');
  }
}

/** The insert skipped the device and no device has its key: its serial was taken meanwhile. */
class SerialTaken extends Error {
  constructor() {
    super('the serial was taken concurrently');
  }
}

export interface Creation {
  readonly principal: Principal;
  readonly idempotencyKey: string;
  readonly requestHash: Uint8Array;
  readonly target: RequestTarget;
  readonly serial: string;
}

/** The device stored now (`created`), or the one an earlier request with the same key stored. */
interface Stored {
  readonly created: boolean;
  readonly device: DeviceRecord;
}

/**
 * Device requests from the MES (`POST/GET /v1/devices`): validate, issue the identity in the HSM,
 * store it `queued` with its quota unit and history entry in one transaction, then enqueue its job.
 *
 * Why the HSM work happens before the transaction: a transaction holds locks until it commits
 * (the work order's quota row; on PGlite, the one database session itself), and holding them
 * across key generation and signing would serialize every request. The identity is made first,
 * in memory only, and nothing of it leaves the process unless the transaction commits: a request
 * that loses a race (quota, serial, idempotency key) discards its key pair and certificate
 * (counted in `ingrain_identities_discarded_total`). What that costs: HSM work for such losers
 * (bounded by the concurrency), and a serial of the product sequence skipped for each (serials
 * are unique and increasing, not dense).
 */
@Injectable()
export class DeviceRequestsService {
  readonly #logger = new Logger(DeviceRequestsService.name);

  constructor(
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(ProductRepository) private readonly products: ProductRepository,
    @Inject(LayoutRepository) private readonly layoutRecords: LayoutRepository,
    @Inject(WorkOrderRepository) private readonly workOrders: WorkOrderRepository,
    @Inject(AttestationRepository) private readonly attestations: AttestationRepository,
    @Inject(IdentityService) private readonly identities: IdentityService,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(LayoutCache) private readonly layouts: LayoutCache,
    @Inject(ProvisioningMetrics) private readonly metrics: ProvisioningMetrics,
    @Inject(RequestHasher) private readonly requestHasher: RequestHasher,
  ) {}

  /**
   * Creates a device identity, or returns the one this requester's earlier request with the same
   * idempotency key made. The job is enqueued after the commit; if Redis fails then, the device is
   * still returned and the reconciler enqueues it (a retry of the request does too).
   *
   * @throws AppError IDEMPOTENCY_KEY_REUSED, SERIAL_INVALID, IDENTITY_INPUT_INVALID,
   *   IDENTITY_FIELDS_DISAGREE;
   *   ValuesValidationError VALUES_INVALID; AppError WORK_ORDER_NOT_FOUND / PRODUCT_NOT_FOUND,
   *   WORK_ORDER_CLOSED / WORK_ORDER_EXHAUSTED / PRODUCT_HAS_NO_LAYOUT / SERIAL_ALREADY_USED;
   *   HsmError from the HSM. Nothing is stored or queued when it throws.
   */
  async create(principal: Principal, idempotencyKey: string, request: CreateDeviceRequest): Promise<DeviceView> {
    return (await this.request(principal, idempotencyKey, request)).device;
  }

  /**
   * {@link create}, saying whether the answer is a replay of an earlier request (the
   * `Idempotent-Replayed: true` header). Throws as create does.
   */
  async request(principal: Principal, idempotencyKey: string, request: CreateDeviceRequest): Promise<DeviceOutcome> {
    const hash = await this.requestHasher.digest(CREATE_DEVICE_OPERATION, request);
    const earlier = await this.devices.findByIdempotencyKey(principal.tokenId, idempotencyKey);
    if (earlier !== undefined) return { device: await this.#replay(earlier, hash), replayed: true };
    const repositories = { products: this.products, layouts: this.layoutRecords, workOrders: this.workOrders };
    const target = await resolveTarget(repositories, this.layouts, request);
    const { layout } = target.layout;
    const sequenced = formatSerial(target.product.serialPrefix, target.product.serialNext);
    preflightDeviceRequest(layout, request.inputs, request.serial, sequenced);
    if (request.serial !== undefined) {
      if (target.serialTaken === true) throw serialAlreadyUsed(target.product.id);
      if (target.serialTaken === undefined) await this.#assertSerialFree(target.product.id, request.serial);
    }
    const serial = request.serial ?? (await this.#nextSerial(target.product));
    const identity = await this.identities.issue({
      product: target.product.id,
      serial,
      layout,
      inputs: request.inputs, // the layout's serial field is written from `serial` (identity-fields.ts)
    });
    let stored: Stored;
    try {
      stored = await this.#store({ principal, idempotencyKey, requestHash: hash.keyed, target, serial }, identity);
    } finally {
      identity.image.data.fill(0); // the only copy of the secrets: the database holds the zeroed image
    }
    if (!stored.created) return { device: await this.#replay(stored.device, hash), replayed: true };
    await this.#enqueue(stored.device, target.product.line);
    return { device: toDeviceView(stored.device, creationHistory(stored.device, principal), null), replayed: false };
  }

  /** @throws AppError DEVICE_NOT_FOUND. */
  async get(deviceId: string): Promise<DeviceView> {
    const device = await this.devices.get(deviceId);
    if (device === undefined) throw deviceNotFound(deviceId);
    return this.#view(device);
  }

  /** Devices matching every filter, oldest first (without their histories). */
  async list(query: DeviceListQuery): Promise<DeviceList> {
    const { limit, offset, cursor, ...filters } = query;
    const after = cursor === undefined ? undefined : decodeCursor(DEVICE_LIST, cursor, deviceKey)[0];
    const rows = await this.devices.search(filters, {
      limit: limit + 1,
      ...(offset === undefined ? {} : { offset }),
      ...(after === undefined ? {} : { after }),
    });
    const page = cursorPage(DEVICE_LIST, rows, limit, (device) => [device.id]);
    return { devices: page.items.map(toDeviceSummary), nextCursor: page.nextCursor, limit, offset: offset ?? 0 };
  }

  async #store(creation: Creation, identity: IssuedIdentity): Promise<Stored> {
    try {
      return await this.transactions.run(async ({ devices, workOrders }) => {
        const { principal, target } = creation;
        const device = newDevice(creation, identity);
        // One insert of the device and one of its event, answered without reading the row back.
        const stored = (await devices.createMany([device], creationEvent(principal))).get(device.idempotencyKey);
        if (stored === undefined) {
          // Skipped for a conflict: a concurrent request with the same key stored first (answer
          // with its device), or the serial was taken meanwhile.
          const winner = await devices.findByIdempotencyKey(device.requestedBy, device.idempotencyKey);
          throw winner === undefined ? new SerialTaken() : new LostToReplay(winner);
        }
        // The quota last: its row lock (which orders every request of the work order) is then held
        // only until the commit. Refused, it throws and the device insert rolls back with it.
        if (target.workOrder !== null) await takeQuota(workOrders, target.workOrder.id);
        return { created: true, device: stored };
      });
    } catch (error) {
      if (error instanceof LostToReplay) {
        this.#discarded('replayed');
        return { created: false, device: error.device };
      }
      if (error instanceof SerialTaken || isDatabaseError(error, 'UNIQUE_VIOLATION', CONSTRAINTS.deviceSerial)) {
        this.#discarded('serial-taken');
        throw serialAlreadyUsed(creation.target.product.id, error);
      }
      this.#discarded(isAppError(error, 'WORK_ORDER_CLOSED', 'WORK_ORDER_EXHAUSTED') ? 'quota' : 'failed');
      throw error;
    }
  }

  /** The earlier request's device, if the body is the same; its job made sure of while queued. */
  async #replay(device: DeviceRecord, hash: RequestDigest): Promise<DeviceView> {
    assertSameRequest(device.requestHash, hash, device.id);
    if (device.state === 'queued') {
      const product = await this.products.get(device.productId);
      if (product !== undefined) await this.#enqueue(device, product.line, true);
    }
    return this.#view(device);
  }

  #enqueue(device: DeviceRecord, line: string, requeue = false): Promise<void> {
    return enqueueAfterCommit({ jobs: this.jobs, metrics: this.metrics, logger: this.#logger }, device, line, requeue);
  }

  async #view(device: DeviceRecord): Promise<DeviceView> {
    const history = await this.devices.history(device.id);
    const attestation = device.state === 'provisioned' ? await this.attestations.getByDevice(device.id) : undefined;
    return toDeviceView(device, history, attestation?.leafIndex ?? null);
  }

  async #assertSerialFree(productId: string, serial: string): Promise<void> {
    const taken = await this.devices.search({ productId, serial }, { limit: 1 });
    if (taken.length > 0) throw serialAlreadyUsed(productId);
  }

  async #nextSerial(product: ProductRecord): Promise<string> {
    const sequence = await this.products.nextSerial(product.id);
    if (sequence === undefined) throw productNotFound(product.id);
    return formatSerial(product.serialPrefix, sequence);
  }

  #discarded(reason: DiscardReason): void {
    this.metrics.identitiesDiscarded.inc({ reason });
  }
}

/** The history entry of a new device. */
export function creationEvent(principal: Principal) {
  return { actor: principal.tokenId, reason: 'requested', details: { requestedBy: principal.tokenName } };
}

/**
 * The history of a device just created: its creation event, as create() wrote it in the same
 * transaction (so with the same `now()` as the device's createdAt). Spares re-reading it.
 */
function creationHistory(device: DeviceRecord, principal: Principal): DeviceEventRecord[] {
  const event = creationEvent(principal);
  return [
    { ...event, id: 0, deviceId: device.id, at: device.createdAt, fromState: null, toState: 'queued', chipUid: null },
  ];
}

/** One unit of the work order's quota, atomically (the row lock orders concurrent takers). */
async function takeQuota(orders: WorkOrderRepository, workOrderId: string): Promise<void> {
  if (await orders.tryIssue(workOrderId)) return;
  const order = await orders.get(workOrderId);
  if (order === undefined) throw workOrderNotFound(workOrderId);
  assertIssuable(order);
  throw workOrderExhausted(order.id, order.quantity);
}

export function newDevice(creation: Creation, identity: IssuedIdentity): NewDevice {
  const id = randomUUID();
  const { target } = creation;
  return {
    id,
    productId: target.product.id,
    layoutVersion: target.layout.record.version,
    workOrderId: target.workOrder?.id ?? null,
    serial: creation.serial,
    idempotencyKey: creation.idempotencyKey,
    requestedBy: creation.principal.tokenId,
    requestHash: creation.requestHash,
    jobId: id, // docs/api.md: the job id is the device id
    imageData: identity.storedImage.data,
    lockBlocks: identity.storedImage.lockedBlocks,
    secretFields: identity.secretFields.map((field) => ({ ...field })),
    sealedPrivateKey: identity.sealedSecrets,
    publicKeySpki: identity.publicKeySpkiDer,
    // Issued at claim, chip-bound (ClaimsService; docs/certificates.md).
    certificateDer: null,
    certificateSha256: null,
  };
}
