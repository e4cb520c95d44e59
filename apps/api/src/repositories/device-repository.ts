import { sql } from 'kysely';
import { isDatabaseError, DatabaseError } from '../database/errors.js';
import { CONSTRAINTS } from '../database/constraints.js';
import { type Executor, inTransaction, withSavepoint } from '../database/executor.js';
import { jsonText } from '../database/json.js';
import { DEVICE_TRANSITIONS, type DeviceAction, type DeviceState } from '#ingrain/contracts';
import { insertNewDevices, type InsertedDevices } from './device-bulk-insert.js';
import { insertDeviceEvent } from './device-events.js';
import {
  type ClaimResult,
  type CreateDeviceResult,
  DEVICE_COLUMNS,
  type DeviceEventInput,
  type DeviceEventRecord,
  type DeviceRecord,
  type DeviceSearchFilters,
  HANDED_OVER,
  type NewDevice,
  type Page,
  toDeviceEventRecord,
  toDeviceRecord,
  type TransitionGuard,
} from './device-records.js';
import { isUuid, newId, plainBytes, sameBytes } from './row-values.js';

/** How often claim() re-reads after losing a race before giving up with CONTENTION. */
const MAX_CLAIM_ATTEMPTS = 5;

/** The claim's edge of the state machine; its single `from` state is what the binding UPDATE requires. */
const CLAIM = DEVICE_TRANSITIONS.claim;
const CLAIM_FROM = singleState(CLAIM.from);

/** devices and device_events: identities, their binding to chips and their state machine. */
export class DeviceRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Locks the device row until the transaction of this repository ends (SELECT … FOR UPDATE) and
   * returns its state, or undefined for an unknown device. Every state change takes the same row
   * lock ({@link transition}), so what the caller reads after this — the history, the reports
   * recorded — cannot change under it before its own transition. An adapter: it decides nothing.
   */
  async lockForUpdate(deviceId: string): Promise<DeviceState | undefined> {
    if (!isUuid(deviceId)) return undefined;
    const row = await this.db
      .selectFrom('devices')
      .select('state')
      .where('id', '=', deviceId)
      .forUpdate()
      .executeTakeFirst();
    return row?.state;
  }

  private selectDevices(db: Executor = this.db) {
    return db
      .selectFrom('devices')
      .select([...DEVICE_COLUMNS, (eb) => eb('sealed_private_key', 'is not', null).as('has_sealed_private_key')]);
  }

  /**
   * Stores a queued device and its creation event, atomically. When the requester already used the
   * idempotency key, nothing is written and the device stored then is returned (`created: false`)
   * so the service can compare request hashes. DatabaseError UNIQUE_VIOLATION
   * (devices_product_serial_key) for a serial the product already has; FOREIGN_KEY_VIOLATION for an
   * unknown product, layout version or work order (or one of another product or layout).
   */
  create(device: NewDevice, event: DeviceEventInput = { actor: device.requestedBy }): Promise<CreateDeviceResult> {
    return inTransaction(this.db, async (trx) => {
      const inserted = await this.#insertUnlessReplayed(trx, device);
      if (inserted === 'replayed' || inserted === undefined) {
        const existing = await this.findByIdempotencyKey(device.requestedBy, device.idempotencyKey, trx);
        if (existing === undefined) throw new DatabaseError('CONTENTION', 'idempotency key conflict without a row');
        return { created: false, device: existing };
      }
      await insertDeviceEvent(trx, {
        ...event,
        deviceId: inserted.id,
        fromState: null,
        toState: 'queued',
        chipUid: null,
      });
      const stored = await this.get(inserted.id, trx);
      if (stored === undefined) throw new DatabaseError('QUERY_FAILED', 'an inserted device cannot be read back');
      return { created: true, device: stored };
    });
  }

  /**
   * The insert of `create`: undefined when the requester's idempotency key is taken (ON CONFLICT on
   * its index), 'replayed' when a concurrent request with the same key and the same serial committed
   * first — ON CONFLICT covers only its arbiter index, so PostgreSQL may report the serial's index
   * instead (seen with 12 racing requests); the savepoint keeps the transaction usable to read it.
   */
  async #insertUnlessReplayed(trx: Executor, device: NewDevice): Promise<{ id: string } | undefined | 'replayed'> {
    try {
      return await withSavepoint(trx, () => this.#insert(trx, device));
    } catch (error) {
      if (!isDatabaseError(error, 'UNIQUE_VIOLATION', CONSTRAINTS.deviceSerial)) throw error;
      const existing = await this.findByIdempotencyKey(device.requestedBy, device.idempotencyKey, trx);
      if (existing === undefined) throw error;
      return 'replayed';
    }
  }

  #insert(trx: Executor, device: NewDevice): Promise<{ id: string } | undefined> {
    return trx
      .insertInto('devices')
      .values({
        id: device.id ?? newId(),
        product_id: device.productId,
        layout_version: device.layoutVersion,
        work_order_id: device.workOrderId ?? null,
        serial: device.serial,
        idempotency_key: device.idempotencyKey,
        requested_by: device.requestedBy,
        request_hash: device.requestHash,
        job_id: device.jobId ?? null,
        image_data: device.imageData,
        lock_blocks: jsonText([...device.lockBlocks]),
        secret_fields: jsonText(device.secretFields),
        sealed_private_key: device.sealedPrivateKey ?? null,
        public_key_spki: device.publicKeySpki ?? null,
        certificate_der: device.certificateDer ?? null,
        certificate_sha256: device.certificateSha256 ?? null,
      })
      .onConflict((conflict) => conflict.columns(['requested_by', 'idempotency_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
  }

  async get(id: string, db: Executor = this.db): Promise<DeviceRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.selectDevices(db).where('id', '=', id).executeTakeFirst();
    return row && toDeviceRecord(row);
  }

  /** The device a requester created with this idempotency key. */
  async findByIdempotencyKey(
    requestedBy: string,
    idempotencyKey: string,
    db: Executor = this.db,
  ): Promise<DeviceRecord | undefined> {
    const row = await this.selectDevices(db)
      .where('requested_by', '=', requestedBy)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    return row && toDeviceRecord(row);
  }

  /** The devices a requester created with any of these idempotency keys, by key (one query). */
  async findByIdempotencyKeys(requestedBy: string, keys: readonly string[]): Promise<Map<string, DeviceRecord>> {
    if (keys.length === 0) return new Map();
    const rows = await this.selectDevices()
      .where('requested_by', '=', requestedBy)
      .where('idempotency_key', 'in', [...keys])
      .execute();
    return new Map(rows.map((row) => [row.idempotency_key, toDeviceRecord(row)]));
  }

  /** Which of these serials the product's devices already have (one query). */
  async serialsTaken(productId: string, serials: readonly string[]): Promise<Set<string>> {
    if (serials.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('devices')
      .select('serial')
      .where('product_id', '=', productId)
      .where('serial', 'in', [...serials])
      .execute();
    return new Set(rows.map((row) => row.serial));
  }

  /**
   * The production line of the device: its product's (products.line, fixed when the product is
   * made; the line whose queue gets the device's job). Undefined for an unknown device.
   */
  async lineOf(id: string): Promise<string | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .selectFrom('devices')
      .innerJoin('products', 'products.id', 'devices.product_id')
      .select('products.line')
      .where('devices.id', '=', id)
      .executeTakeFirst();
    return row?.line;
  }

  /** The device the chip is bound to (claimed, provisioned, quarantined or scrapped after claim). */
  async findByChipUid(chipUid: Uint8Array): Promise<DeviceRecord | undefined> {
    const row = await this.selectDevices().where('chip_uid', '=', chipUid).executeTakeFirst();
    return row && toDeviceRecord(row);
  }

  /** Devices matching every given filter, oldest first. */
  async search(filters: DeviceSearchFilters, page: Page): Promise<DeviceRecord[]> {
    if (filters.workOrderId !== undefined && !isUuid(filters.workOrderId)) return [];
    let query = this.selectDevices();
    if (filters.productId !== undefined) query = query.where('product_id', '=', filters.productId);
    if (filters.workOrderId !== undefined) query = query.where('work_order_id', '=', filters.workOrderId);
    if (filters.serial !== undefined) query = query.where('serial', '=', filters.serial);
    if (filters.state !== undefined) query = query.where('state', '=', filters.state);
    if (filters.stationId !== undefined) query = query.where('station_id', '=', filters.stationId);
    if (page.after !== undefined) {
      // After the device `after` in (created_at, id) order; an unknown id matches nothing.
      const after = isUuid(page.after) ? page.after : '00000000-0000-0000-0000-000000000000';
      query = query.where(
        sql<boolean>`(created_at, id) > (select d.created_at, d.id from devices d where d.id = ${after}::uuid)`,
      );
    }
    const rows = await query
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute();
    return rows.map(toDeviceRecord);
  }

  /**
   * Binds a queued device to a chip (docs/api.md, claim). One conditional UPDATE (state = queued)
   * guarded by the unique chip_uid: correct however many API processes race. A lost race is
   * classified by reading the winner's row. The device already claimed by this chip at another
   * station is handed over to this one ({@link handOver}). Runs in the caller's transaction when
   * given one (under a savepoint, so a refused binding does not abort it).
   * @throws DatabaseError CONTENTION if the device keeps changing under it (released and re-claimed).
   */
  async claim(id: string, chipUid: Uint8Array, stationId: string, actor: string = stationId): Promise<ClaimResult> {
    if (!isUuid(id)) return { outcome: 'not-found' };
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const bound = await this.bind(id, chipUid, stationId, actor);
      if (bound === 'chip-taken') {
        const holder = await this.findByChipUid(chipUid);
        if (holder !== undefined && holder.id !== id)
          return { outcome: 'chip-bound-to-other-device', deviceId: holder.id };
        continue;
      }
      if (bound !== undefined) return { outcome: 'claimed', device: bound };
      const refusal = classifyRefusal(await this.get(id), chipUid);
      if (refusal?.outcome === 'already-claimed-by-this-chip' && refusal.device.stationId !== stationId) {
        const handed = await this.handOver(refusal.device, stationId, actor);
        if (handed !== undefined)
          return { outcome: 'handed-over', device: handed, fromStationId: refusal.device.stationId };
        continue; // it changed meanwhile (handed over, reported, released): read it again
      }
      if (refusal !== undefined) return refusal;
    }
    throw new DatabaseError('CONTENTION', 'the claim kept racing with other writers');
  }

  /** The claim's write: undefined when the device is not queued, 'chip-taken' when the UID is bound. */
  private async bind(
    id: string,
    chipUid: Uint8Array,
    stationId: string,
    actor: string,
  ): Promise<DeviceRecord | 'chip-taken' | undefined> {
    try {
      return await withSavepoint(this.db, () =>
        inTransaction(this.db, async (trx) => {
          const updated = await trx
            .updateTable('devices')
            .set({ state: CLAIM.to, chip_uid: chipUid, station_id: stationId, updated_at: sql<Date>`now()` })
            .where('id', '=', id)
            .where('state', '=', CLAIM_FROM)
            .returning('id')
            .executeTakeFirst();
          if (updated === undefined) return undefined;
          await insertDeviceEvent(trx, {
            deviceId: id,
            fromState: CLAIM_FROM,
            toState: CLAIM.to,
            chipUid,
            actor,
            reason: 'claim',
          });
          return this.get(id, trx);
        }),
      );
    } catch (error) {
      if (isDatabaseError(error, 'UNIQUE_VIOLATION', CONSTRAINTS.deviceChipUid)) return 'chip-taken';
      throw error;
    }
  }

  /**
   * Moves a device claimed by `device.chipUid` at `device.stationId` to `stationId`, recording a
   * `handed-over` event (the same chip; details: both stations) in the same transaction. One
   * conditional UPDATE on the state, chip and station read: undefined, changing nothing, when any
   * of them changed meanwhile.
   */
  private handOver(device: DeviceRecord, stationId: string, actor: string): Promise<DeviceRecord | undefined> {
    const { chipUid, stationId: fromStationId } = device;
    if (chipUid === null) return Promise.resolve(undefined);
    return inTransaction(this.db, async (trx) => {
      const updated = await trx
        .updateTable('devices')
        .set({ station_id: stationId, updated_at: sql<Date>`now()` })
        .where('id', '=', device.id)
        .where('state', '=', CLAIM.to)
        .where('chip_uid', '=', chipUid)
        .where((eb) => (fromStationId === null ? eb('station_id', 'is', null) : eb('station_id', '=', fromStationId)))
        .returning('id')
        .executeTakeFirst();
      if (updated === undefined) return undefined;
      await insertDeviceEvent(trx, {
        deviceId: device.id,
        fromState: CLAIM.to,
        toState: CLAIM.to,
        chipUid,
        actor,
        reason: HANDED_OVER,
        details: { fromStationId, toStationId: stationId },
      });
      return this.get(device.id, trx);
    });
  }

  /**
   * Applies `action` (DEVICE_TRANSITIONS: its `from` states and its target) if the device's state
   * is one of the action's `from` states, recording the event, atomically (the row is locked, so
   * concurrent transitions apply one after the other and each sees the other's result). A release
   * (to `queued`) unbinds the chip and station; the released UID stays in the event. Returns false,
   * changing nothing, when the state is not one the action starts from, the device is unknown, or
   * the row does not meet `guard` (another station holds it). DatabaseError CHECK_VIOLATION for a
   * target state the binding rules refuse.
   */
  transition(id: string, action: DeviceAction, event: DeviceEventInput, guard: TransitionGuard = {}): Promise<boolean> {
    const { from, to } = DEVICE_TRANSITIONS[action];
    return this.move(id, from, to, event, guard);
  }

  /**
   * Records an event that leaves the state as it is (a `link-error` report: the device stays
   * claimed and its job is retried), if the device is still in `state`; same locking and result as
   * {@link transition}.
   */
  recordEvent(id: string, state: DeviceState, event: DeviceEventInput, guard: TransitionGuard = {}): Promise<boolean> {
    return this.move(id, [state], state, event, guard);
  }

  private move(
    id: string,
    from: readonly DeviceState[],
    to: DeviceState,
    event: DeviceEventInput,
    guard: TransitionGuard,
  ): Promise<boolean> {
    if (!isUuid(id) || from.length === 0) return Promise.resolve(false);
    return inTransaction(this.db, async (trx) => {
      let locking = trx
        .selectFrom('devices')
        .select(['state', 'chip_uid'])
        .where('id', '=', id)
        .where('state', 'in', from);
      if (guard.stationId !== undefined) locking = locking.where('station_id', '=', guard.stationId);
      const current = await locking.forUpdate().executeTakeFirst();
      if (current === undefined) return false;
      const unbind = to === 'queued' ? { chip_uid: null, station_id: null } : {};
      await trx
        .updateTable('devices')
        .set({ state: to, updated_at: sql<Date>`now()`, ...unbind })
        .where('id', '=', id)
        .execute();
      const chipUid = current.chip_uid === null ? null : plainBytes(current.chip_uid);
      await insertDeviceEvent(trx, { ...event, deviceId: id, fromState: current.state, toState: to, chipUid });
      return true;
    });
  }

  /** The device's history, oldest first (empty for an unknown device). */
  async history(id: string): Promise<DeviceEventRecord[]> {
    if (!isUuid(id)) return [];
    const rows = await this.db
      .selectFrom('device_events')
      .select(['id', 'device_id', 'at', 'from_state', 'to_state', 'reason', 'actor', 'chip_uid', 'details'])
      .where('device_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map(toDeviceEventRecord);
  }

  /** The sealed device private key (AES-GCM under the HSM seal key), while it exists. */
  async sealedPrivateKey(id: string): Promise<Uint8Array | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .selectFrom('devices')
      .select('sealed_private_key')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.sealed_private_key == null ? undefined : plainBytes(row.sealed_private_key);
  }

  /**
   * The device with its chip-bound certificate (docs/certificates.md, "When the certificate is
   * issued"): under the device row lock (SELECT … FOR UPDATE), a device bound to `chipUid` without
   * a certificate gets the one `issue` makes, stored in the same transaction; a device that has
   * one (a re-claim, the loser of a concurrent first claim) is returned as it is, and `issue` is
   * not called. So a device is certified at most once. A device bound to another chip, or not
   * bound, is returned unchanged (the caller refuses it); undefined for an unknown device.
   */
  async certifyOnce(
    id: string,
    chipUid: Uint8Array,
    issue: (device: DeviceRecord) => Promise<{ der: Uint8Array; sha256: Uint8Array }>,
  ): Promise<DeviceRecord | undefined> {
    if (!isUuid(id)) return undefined;
    return inTransaction(this.db, async (trx) => {
      const row = await this.selectDevices(trx).where('id', '=', id).forUpdate().executeTakeFirst();
      if (row === undefined) return undefined;
      const device = toDeviceRecord(row);
      if (device.certificateDer !== null || device.chipUid === null || !sameBytes(device.chipUid, chipUid)) {
        return device;
      }
      const certificate = await issue(device);
      await trx
        .updateTable('devices')
        .set({ certificate_der: certificate.der, certificate_sha256: certificate.sha256, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .execute();
      return this.get(id, trx);
    });
  }

  /** Erases the sealed private key (once the device is provisioned); true if there was one. */
  async eraseSealedKey(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.db
      .updateTable('devices')
      .set({ sealed_private_key: null, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('sealed_private_key', 'is not', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Stores queued devices with their creation events, atomically, skipping those that conflict on
   * a unique key (idempotency key, serial): the stored ones by idempotency key (device-bulk-insert.ts).
   */
  createMany(devices: readonly NewDevice[], event: DeviceEventInput): Promise<InsertedDevices> {
    return inTransaction(this.db, (trx) => insertNewDevices(trx, devices, event));
  }
}

/** Why a device that could not be bound was refused; undefined when it is queued again (retry). */
function classifyRefusal(device: DeviceRecord | undefined, chipUid: Uint8Array): ClaimResult | undefined {
  if (device === undefined) return { outcome: 'not-found' };
  switch (device.state) {
    case 'queued':
      return undefined;
    case 'claimed':
      return device.chipUid !== null && sameBytes(device.chipUid, chipUid)
        ? { outcome: 'already-claimed-by-this-chip', device }
        : { outcome: 'bound-to-other-chip' };
    case 'provisioned':
    case 'quarantined':
    case 'scrapped':
      return { outcome: 'not-claimable', state: device.state };
  }
}

/** The one state an edge starts from (the claim's conditional UPDATE compares with it). */
function singleState(states: readonly DeviceState[]): DeviceState {
  const [state, ...others] = states;
  if (state === undefined || others.length > 0) throw new TypeError('expected exactly one from state');
  return state;
}
