import { type ExpressionBuilder, sql } from 'kysely';
import { isDatabaseError, DatabaseError } from '../database/errors.js';
import { CONSTRAINTS } from '../database/constraints.js';
import { type Executor, inTransaction, withSavepoint } from '../database/executor.js';
import { jsonText } from '../database/json.js';
import type { Tables } from '../database/tables.js';
import { DEVICE_TRANSITIONS, type DeviceAction, type DeviceState } from '#ingrain/contracts';
import { insertNewDevices, newDeviceRow, type InsertedDevices } from './device-bulk-insert.js';
import { insertDeviceEvent } from './device-events.js';
import {
  type CertificateIssuer,
  CLAIMED_COLUMNS,
  type ChipBinding,
  type ClaimedImage,
  type ClaimOptions,
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
  REPORTED_COLUMNS,
  type ReportedDevice,
  toClaimedImage,
  toDeviceEventRecord,
  toDeviceRecord,
  toReportedDevice,
  type TransitionEffects,
  type TransitionGuard,
} from './device-records.js';
import { isUuid, plainBytes, sameBytes } from './row-values.js';

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
      .values(newDeviceRow(device))
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
   * Binds a queued device to a chip (docs/api.md, claim), in one transaction: a conditional UPDATE
   * (state = queued, and of `options.line` when given) guarded by the unique chip_uid, recording the
   * claim event in the same statement — correct however many API processes race. A device that was
   * not bound is read under its row lock and classified; the device already claimed by this chip at
   * another station is handed over to this one (a `handed-over` event). Under the same lock, a
   * claimed device without a certificate gets the one `options.certify` issues (so at most once,
   * only for the bound chip, and a failed issuance binds nothing). Runs in the caller's transaction
   * when given one (under a savepoint, so a refused binding does not abort it).
   * @throws DatabaseError CONTENTION if the device keeps changing under it (released and re-claimed).
   */
  async claim(id: string, chipUid: Uint8Array, stationId: string, options: ClaimOptions = {}): Promise<ClaimResult> {
    if (!isUuid(id)) return { outcome: 'not-found' };
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      let result: ClaimResult | undefined;
      try {
        result = await withSavepoint(this.db, () =>
          inTransaction(this.db, (trx) => this.#claimIn(trx, id, chipUid, stationId, options)),
        );
      } catch (error) {
        if (!isDatabaseError(error, 'UNIQUE_VIOLATION', CONSTRAINTS.deviceChipUid)) throw error;
        const holder = await this.#chipHolder(chipUid);
        if (holder !== undefined && holder !== id) return { outcome: 'chip-bound-to-other-device', deviceId: holder };
        continue; // the holder let it go meanwhile: bind again
      }
      if (result !== undefined) return result;
    }
    throw new DatabaseError('CONTENTION', 'the claim kept racing with other writers');
  }

  /** One claim attempt in `trx`; undefined when the device was queued again meanwhile (retry). */
  async #claimIn(
    trx: Executor,
    id: string,
    chipUid: Uint8Array,
    stationId: string,
    options: ClaimOptions,
  ): Promise<ClaimResult | undefined> {
    const actor = options.actor ?? stationId;
    const bound = await this.#bind(trx, id, chipUid, stationId, actor, options.line);
    if (bound !== undefined) return { outcome: 'claimed', ...(await certified(trx, bound, options.certify)) };
    const current = await trx
      .selectFrom('devices')
      .select([...CLAIMED_SELECTION, lineOfDevice])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (current === undefined) return { outcome: 'not-found' };
    if (options.line !== undefined && current.line !== options.line) return { outcome: 'other-line' };
    const refusal = classifyRefusal(current.state, current.chip_uid, chipUid);
    if (refusal !== 'this-chip') return refusal;
    const fromStationId = current.station_id;
    if (fromStationId === stationId) {
      return {
        outcome: 'already-claimed-by-this-chip',
        ...(await certified(trx, toClaimedImage(current), options.certify)),
      };
    }
    const handed = await this.#handOver(trx, id, chipUid, fromStationId, stationId, actor);
    return { outcome: 'handed-over', fromStationId, ...(await certified(trx, handed, options.certify)) };
  }

  /** The claim's write and its event (one statement): the bound device, undefined when not queued (or of another line). */
  async #bind(
    trx: Executor,
    id: string,
    chipUid: Uint8Array,
    stationId: string,
    actor: string,
    line: string | undefined,
  ): Promise<ClaimedImage | undefined> {
    const row = await trx
      .with('bound', (db) => {
        let update = db
          .updateTable('devices')
          .set({ state: CLAIM.to, chip_uid: chipUid, station_id: stationId, updated_at: sql<Date>`now()` })
          .where('id', '=', id)
          .where('state', '=', CLAIM_FROM);
        if (line !== undefined) {
          update = update.where('product_id', 'in', (eb) =>
            eb.selectFrom('products').select('id').where('line', '=', line),
          );
        }
        return update.returning(CLAIMED_SELECTION);
      })
      .with('event', (db) =>
        db
          .insertInto('device_events')
          .columns(EVENT_COLUMNS)
          .expression(eventFrom(trx, 'bound', { actor, reason: 'claim' }, CLAIM_FROM, CLAIM.to))
          .returning('device_events.id'),
      )
      .selectFrom('bound')
      .selectAll()
      .executeTakeFirst();
    return row && toClaimedImage(row);
  }

  /**
   * Moves a device claimed by `chipUid` (locked by the caller) from `fromStationId` to `stationId`,
   * recording a `handed-over` event (the same chip; details: both stations) in the same statement.
   */
  async #handOver(
    trx: Executor,
    id: string,
    chipUid: Uint8Array,
    fromStationId: string | null,
    stationId: string,
    actor: string,
  ): Promise<ClaimedImage> {
    const event = { actor, reason: HANDED_OVER, details: { fromStationId, toStationId: stationId } };
    const row = await trx
      .with('handed', (db) =>
        db
          .updateTable('devices')
          .set({ station_id: stationId, updated_at: sql<Date>`now()` })
          .where('id', '=', id)
          .where('state', '=', CLAIM.to)
          .where('chip_uid', '=', chipUid)
          .returning(CLAIMED_SELECTION),
      )
      .with('event', (db) =>
        db
          .insertInto('device_events')
          .columns(EVENT_COLUMNS)
          .expression(eventFrom(trx, 'handed', event, CLAIM.to, CLAIM.to))
          .returning('device_events.id'),
      )
      .selectFrom('handed')
      .selectAll()
      .executeTakeFirstOrThrow();
    return toClaimedImage(row);
  }

  /** The id of the device bound to the chip, if any. */
  async #chipHolder(chipUid: Uint8Array): Promise<string | undefined> {
    const row = await this.db.selectFrom('devices').select('id').where('chip_uid', '=', chipUid).executeTakeFirst();
    return row?.id;
  }

  /** The device the chip is bound to, with its product's line (one query, no image). */
  async bindingOf(chipUid: Uint8Array): Promise<ChipBinding | undefined> {
    const row = await this.db
      .selectFrom('devices')
      .select(['id', 'state', lineOfDevice])
      .where('chip_uid', '=', chipUid)
      .executeTakeFirst();
    return row && { id: row.id, state: row.state, line: row.line ?? '' };
  }

  /**
   * The device as a station's report is judged against, with its product's line and the time of
   * its latest claim (one query); undefined for an unknown device.
   */
  async reportable(id: string): Promise<ReportedDevice | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .selectFrom('devices')
      .select([
        ...REPORTED_COLUMNS,
        lineOfDevice,
        (eb) =>
          eb
            .selectFrom('device_events')
            .select('device_events.at')
            .whereRef('device_events.device_id', '=', 'devices.id')
            .where('device_events.from_state', '=', CLAIM_FROM)
            .where('device_events.to_state', '=', CLAIM.to)
            .orderBy('device_events.id', 'desc')
            .limit(1)
            .as('claimed_at'),
      ])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toReportedDevice(row);
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
  transition(
    id: string,
    action: DeviceAction,
    event: DeviceEventInput,
    guard: TransitionGuard = {},
    effects: TransitionEffects = {},
  ): Promise<boolean> {
    const { from, to } = DEVICE_TRANSITIONS[action];
    return this.move(id, from, to, event, guard, effects);
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
    effects: TransitionEffects = {},
  ): Promise<boolean> {
    if (!isUuid(id) || from.length === 0) return Promise.resolve(false);
    const [only, ...others] = from;
    const erase = effects.eraseSealedKey === true ? { sealed_private_key: null } : {};
    // One known `from` state and no chip to unbind: the UPDATE (its row lock) and the event in one
    // statement (RETURNING gives the new row, so a release, which records the chip it unbinds, and
    // a move from several states, which records the state it left, read the row first).
    if (only !== undefined && others.length === 0 && (to !== 'queued' || only === 'queued')) {
      return this.#moveFrom(id, only, to, event, guard, erase);
    }
    return inTransaction(this.db, async (trx) => {
      let locking = trx
        .selectFrom('devices')
        .select(['state', 'chip_uid'])
        .where('id', '=', id)
        .where('state', 'in', from);
      if (guard.stationId !== undefined) locking = locking.where('station_id', '=', guard.stationId);
      if (guard.chipUid !== undefined) locking = locking.where('chip_uid', '=', guard.chipUid);
      const current = await locking.forUpdate().executeTakeFirst();
      if (current === undefined) return false;
      const unbind = to === 'queued' ? { chip_uid: null, station_id: null } : {};
      await trx
        .updateTable('devices')
        .set({ state: to, updated_at: sql<Date>`now()`, ...unbind, ...erase })
        .where('id', '=', id)
        .execute();
      const chipUid = current.chip_uid === null ? null : plainBytes(current.chip_uid);
      await insertDeviceEvent(trx, { ...event, deviceId: id, fromState: current.state, toState: to, chipUid });
      return true;
    });
  }

  /** {@link move} from one state, keeping the chip bound: false when the row is not in `from` or fails `guard`. */
  async #moveFrom(
    id: string,
    from: DeviceState,
    to: DeviceState,
    event: DeviceEventInput,
    guard: TransitionGuard,
    erase: { sealed_private_key?: null },
  ): Promise<boolean> {
    const moved = await this.db
      .with('moved', (db) => {
        let update = db
          .updateTable('devices')
          .set({ state: to, updated_at: sql<Date>`now()`, ...erase })
          .where('id', '=', id)
          .where('state', '=', from);
        if (guard.stationId !== undefined) update = update.where('station_id', '=', guard.stationId);
        if (guard.chipUid !== undefined) update = update.where('chip_uid', '=', guard.chipUid);
        return update.returning(['id', 'chip_uid']);
      })
      .insertInto('device_events')
      .columns(EVENT_COLUMNS)
      .expression(eventFrom(this.db, 'moved', event, from, to))
      .returning('device_events.id')
      .executeTakeFirst();
    return moved !== undefined;
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

/**
 * Why a device that could not be bound was refused: 'this-chip' when it is claimed by this very chip
 * (a re-claim or a hand-over), undefined when it is queued again (retry).
 */
function classifyRefusal(
  state: DeviceState,
  boundChip: Uint8Array | null,
  chipUid: Uint8Array,
): ClaimResult | 'this-chip' | undefined {
  switch (state) {
    case 'queued':
      return undefined;
    case 'claimed':
      return boundChip !== null && sameBytes(boundChip, chipUid) ? 'this-chip' : { outcome: 'bound-to-other-chip' };
    case 'provisioned':
    case 'quarantined':
    case 'scrapped':
      return { outcome: 'not-claimable', state };
  }
}

/**
 * The claimed device with its chip-bound certificate: stored now, in the claim's transaction and
 * under its row lock, when it has none and `certify` is given.
 */
async function certified(
  trx: Executor,
  claimed: ClaimedImage,
  certify: CertificateIssuer | undefined,
): Promise<ClaimedImage> {
  const { device } = claimed;
  if (device.certified || certify === undefined) return claimed;
  const certificate = await certify(device);
  await trx
    .updateTable('devices')
    .set({ certificate_der: certificate.der, certificate_sha256: certificate.sha256, updated_at: sql<Date>`now()` })
    .where('id', '=', device.id)
    .execute();
  return { ...claimed, device: { ...device, certified: true } };
}

/** The columns of a claimed device, and the sealed key beside it (toClaimedImage). */
const CLAIMED_SELECTION = [
  ...CLAIMED_COLUMNS,
  (eb: ExpressionBuilder<Tables, 'devices'>) => eb('certificate_der', 'is not', null).as('certified'),
] as const;

/** The device's product's line, as a column of a devices query. */
const lineOfDevice = (eb: ExpressionBuilder<Tables, 'devices'>) =>
  eb.selectFrom('products').select('products.line').whereRef('products.id', '=', 'devices.product_id').as('line');

const EVENT_COLUMNS = ['device_id', 'from_state', 'to_state', 'reason', 'actor', 'chip_uid', 'details'] as const;

/**
 * The history row of a change made by the data-modifying CTE `source` (its `id` and `chip_uid`
 * columns), in EVENT_COLUMNS order: INSERT … SELECT types its parameters from the select list, hence
 * the casts.
 */
function eventFrom(db: Executor, source: string, event: DeviceEventInput, from: DeviceState, to: DeviceState) {
  const details = event.details === undefined ? null : jsonText(event.details);
  return db
    .selectFrom(source as never)
    .select([
      sql<string>`id`.as('device_id'),
      sql<DeviceState>`${from}::text`.as('from_state'),
      sql<DeviceState>`${to}::text`.as('to_state'),
      sql<string | null>`${event.reason ?? null}::text`.as('reason'),
      sql<string>`${event.actor}::text`.as('actor'),
      sql<Uint8Array | null>`chip_uid`.as('chip_uid'),
      sql<string | null>`${details}::jsonb`.as('details'),
    ]);
}

/** The one state an edge starts from (the claim's conditional UPDATE compares with it). */
function singleState(states: readonly DeviceState[]): DeviceState {
  const [state, ...others] = states;
  if (state === undefined || others.length > 0) throw new TypeError('expected exactly one from state');
  return state;
}
