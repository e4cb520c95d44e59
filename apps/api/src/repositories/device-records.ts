import type { JsonValue } from '../database/json.js';
import type { DeviceState } from '#ingrain/contracts';
import { plainBytes, plainBytesOrNull } from './row-values.js';

/**
 * A device identity as stored. Holds no secret: the sealed private key is only reported as present
 * (`hasSealedPrivateKey`); read it with DeviceRepository.sealedPrivateKey().
 */
export interface DeviceRecord {
  readonly id: string;
  readonly productId: string;
  readonly layoutVersion: number;
  readonly workOrderId: string | null;
  readonly serial: string;
  readonly state: DeviceState;
  readonly idempotencyKey: string;
  /** Who asked for it (the requesting token's id): idempotency keys are unique per requester. */
  readonly requestedBy: string;
  readonly requestHash: Uint8Array;
  /** The chip this identity is bound to (claimed and after); null while queued. */
  readonly chipUid: Uint8Array | null;
  readonly stationId: string | null;
  readonly jobId: string | null;
  /** The intended OTP image, secret-field bytes zeroed. */
  readonly imageData: Uint8Array;
  readonly lockBlocks: readonly number[];
  /** Names, offsets and commitments of secret fields (never values). */
  readonly secretFields: JsonValue;
  readonly hasSealedPrivateKey: boolean;
  readonly publicKeySpki: Uint8Array | null;
  readonly certificateDer: Uint8Array | null;
  readonly certificateSha256: Uint8Array | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What the service has prepared for a new device (the identity is issued before it is stored). */
export interface NewDevice {
  /** Defaults to a new random uuid. */
  readonly id?: string | undefined;
  readonly productId: string;
  readonly layoutVersion: number;
  readonly workOrderId?: string | null | undefined;
  readonly serial: string;
  readonly idempotencyKey: string;
  readonly requestedBy: string;
  /** Digest of the request body, compared when the same idempotency key comes back. */
  readonly requestHash: Uint8Array;
  readonly jobId?: string | null | undefined;
  readonly imageData: Uint8Array;
  readonly lockBlocks: readonly number[];
  readonly secretFields: JsonValue;
  /** AES-GCM under the HSM seal key; only for layouts with a device-private-key field. */
  readonly sealedPrivateKey?: Uint8Array | null | undefined;
  readonly publicKeySpki?: Uint8Array | null | undefined;
  readonly certificateDer?: Uint8Array | null | undefined;
  readonly certificateSha256?: Uint8Array | null | undefined;
}

/**
 * What a claim hands over (the columns of the claimed image; no certificate or request bytes): read
 * from the row the claim locked. Holds no secret: the sealed private key travels beside it.
 */
export interface ClaimedDevice extends Pick<
  DeviceRecord,
  | 'id'
  | 'productId'
  | 'layoutVersion'
  | 'serial'
  | 'state'
  | 'chipUid'
  | 'stationId'
  | 'jobId'
  | 'imageData'
  | 'lockBlocks'
  | 'secretFields'
  | 'publicKeySpki'
> {
  /** Whether its chip-bound certificate is stored (its bytes are not read). */
  readonly certified: boolean;
}

/**
 * A device as a station's report is judged and recorded against, with its product's line and the
 * time of its latest claim, read in one query (no image-independent column it does not need).
 */
export interface ReportedDevice extends Pick<
  DeviceRecord,
  | 'id'
  | 'productId'
  | 'layoutVersion'
  | 'workOrderId'
  | 'serial'
  | 'state'
  | 'chipUid'
  | 'stationId'
  | 'jobId'
  | 'imageData'
  | 'lockBlocks'
  | 'secretFields'
  | 'certificateSha256'
> {
  /** Its product's production line. */
  readonly line: string;
  /** When the chip now bound was bound (its latest claim event), if it was. */
  readonly claimedAt: Date | null;
}

/** The device a chip is bound to, with its product's line. */
export interface ChipBinding {
  readonly id: string;
  readonly state: DeviceState;
  readonly line: string;
}

/** Issues a chip-bound certificate for a device being claimed (DeviceRepository.claim). */
export type CertificateIssuer = (device: ClaimedDevice) => Promise<{ der: Uint8Array; sha256: Uint8Array }>;

/** What a claim also requires and does, besides binding (DeviceRepository.claim). */
export interface ClaimOptions {
  /** Recorded as the events' actor; default the station. */
  readonly actor?: string | undefined;
  /** The claiming station's line: a device of another product line is refused (`other-line`), untouched. */
  readonly line?: string | undefined;
  /** Makes the certificate of a claimed device that has none, under the claim's row lock. */
  readonly certify?: CertificateIssuer | undefined;
}

/** The reason recorded with the event of a hand-over of a claimed device to another station. */
export const HANDED_OVER = 'handed-over';

/**
 * What a state change also requires of the device row, besides its state: a station's report
 * moves a device only while that station holds it (a hand-over may have moved it meanwhile).
 */
export interface TransitionGuard {
  readonly stationId?: string | undefined;
  /** The chip the change was judged for: nothing changes once another chip is bound. */
  readonly chipUid?: Uint8Array | undefined;
}

/** What a state change also does to the row, in the same statement. */
export interface TransitionEffects {
  /** Erases the sealed private key (a provisioned device never needs it again). */
  readonly eraseSealedKey?: boolean | undefined;
}

/** Who caused a state change and why, recorded in device_events. */
export interface DeviceEventInput {
  /** Token id, station id or operator name. */
  readonly actor: string;
  readonly reason?: string | null | undefined;
  /** Structured context: the diff, the station outcome, an error code. Never secrets. */
  readonly details?: JsonValue | undefined;
}

/** One entry of a device's append-only history. */
export interface DeviceEventRecord {
  readonly id: number;
  readonly deviceId: string;
  readonly at: Date;
  /** Null for the creation event. */
  readonly fromState: DeviceState | null;
  readonly toState: DeviceState;
  readonly reason: string | null;
  readonly actor: string;
  /** The chip the device was bound to by (claim) or released from (release) in this event. */
  readonly chipUid: Uint8Array | null;
  readonly details: JsonValue | null;
}

/** The outcome of DeviceRepository.create. */
export type CreateDeviceResult =
  | { readonly created: true; readonly device: DeviceRecord }
  /** The requester already used this idempotency key: the device stored then (compare requestHash). */
  | { readonly created: false; readonly device: DeviceRecord };

/** A device the claiming station now holds, and its sealed private key while it exists (zero it after use). */
export interface ClaimedImage {
  readonly device: ClaimedDevice;
  readonly sealedPrivateKey: Uint8Array | null;
}

/** The outcome of DeviceRepository.claim (docs/api.md, "Device state machine"). */
export type ClaimResult =
  /** The device was queued and is now bound to the chip. */
  | ({ readonly outcome: 'claimed' } & ClaimedImage)
  /** The device was already claimed by this very chip, at this station: a re-run; nothing changed. */
  | ({ readonly outcome: 'already-claimed-by-this-chip' } & ClaimedImage)
  /**
   * The device was claimed by this very chip at another station (the chip was moved): it is now
   * this station's, and a `handed-over` event names both stations.
   */
  | ({ readonly outcome: 'handed-over'; readonly fromStationId: string | null } & ClaimedImage)
  /** The device is made on another line than the claiming station's: nothing changed. */
  | { readonly outcome: 'other-line' }
  /** The device is claimed by another chip (IDENTITY_BOUND_ELSEWHERE). */
  | { readonly outcome: 'bound-to-other-chip' }
  /** The chip is bound to another device (CHIP_ALREADY_BOUND): finish that one instead. */
  | { readonly outcome: 'chip-bound-to-other-device'; readonly deviceId: string }
  /** The device is provisioned, quarantined or scrapped. */
  | { readonly outcome: 'not-claimable'; readonly state: DeviceState }
  | { readonly outcome: 'not-found' };

export interface DeviceSearchFilters {
  readonly productId?: string | undefined;
  readonly workOrderId?: string | undefined;
  readonly serial?: string | undefined;
  readonly state?: DeviceState | undefined;
  readonly stationId?: string | undefined;
}

/** Paging, in the list's order: after a cursor position (`after`), or (deprecated) skipping `offset` rows. */
export interface Page<K = string> {
  readonly limit: number;
  readonly offset?: number | undefined;
  /** The sort key of the last item of the previous page (a device id for devices). */
  readonly after?: K | undefined;
}

/** Columns read for a DeviceRecord (sealed_private_key deliberately absent). */
export const DEVICE_COLUMNS = [
  'id',
  'product_id',
  'layout_version',
  'work_order_id',
  'serial',
  'state',
  'idempotency_key',
  'requested_by',
  'request_hash',
  'chip_uid',
  'station_id',
  'job_id',
  'image_data',
  'lock_blocks',
  'secret_fields',
  'public_key_spki',
  'certificate_der',
  'certificate_sha256',
  'created_at',
  'updated_at',
] as const;

export interface DeviceRow {
  id: string;
  product_id: string;
  layout_version: number;
  work_order_id: string | null;
  serial: string;
  state: DeviceState;
  idempotency_key: string;
  requested_by: string;
  request_hash: Uint8Array;
  chip_uid: Uint8Array | null;
  station_id: string | null;
  job_id: string | null;
  image_data: Uint8Array;
  lock_blocks: number[];
  secret_fields: JsonValue;
  public_key_spki: Uint8Array | null;
  certificate_der: Uint8Array | null;
  certificate_sha256: Uint8Array | null;
  created_at: Date;
  updated_at: Date;
  has_sealed_private_key: unknown;
}

export function toDeviceRecord(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    productId: row.product_id,
    layoutVersion: row.layout_version,
    workOrderId: row.work_order_id,
    serial: row.serial,
    state: row.state,
    idempotencyKey: row.idempotency_key,
    requestedBy: row.requested_by,
    requestHash: plainBytes(row.request_hash),
    chipUid: plainBytesOrNull(row.chip_uid),
    stationId: row.station_id,
    jobId: row.job_id,
    imageData: plainBytes(row.image_data),
    lockBlocks: row.lock_blocks,
    secretFields: row.secret_fields,
    hasSealedPrivateKey: row.has_sealed_private_key === true,
    publicKeySpki: plainBytesOrNull(row.public_key_spki),
    certificateDer: plainBytesOrNull(row.certificate_der),
    certificateSha256: plainBytesOrNull(row.certificate_sha256),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Columns read for a ClaimedDevice (besides `certified`, an expression), and the sealed key beside it. */
export const CLAIMED_COLUMNS = [
  'id',
  'product_id',
  'layout_version',
  'serial',
  'state',
  'chip_uid',
  'station_id',
  'job_id',
  'image_data',
  'lock_blocks',
  'secret_fields',
  'public_key_spki',
  'sealed_private_key',
] as const;

export interface ClaimedRow {
  id: string;
  product_id: string;
  layout_version: number;
  serial: string;
  state: DeviceState;
  chip_uid: Uint8Array | null;
  station_id: string | null;
  job_id: string | null;
  image_data: Uint8Array;
  lock_blocks: number[];
  secret_fields: JsonValue;
  public_key_spki: Uint8Array | null;
  sealed_private_key: Uint8Array | null;
  certified: unknown;
}

export function toClaimedImage(row: ClaimedRow): ClaimedImage {
  return {
    device: {
      id: row.id,
      productId: row.product_id,
      layoutVersion: row.layout_version,
      serial: row.serial,
      state: row.state,
      chipUid: plainBytesOrNull(row.chip_uid),
      stationId: row.station_id,
      jobId: row.job_id,
      imageData: plainBytes(row.image_data),
      lockBlocks: row.lock_blocks,
      secretFields: row.secret_fields,
      publicKeySpki: plainBytesOrNull(row.public_key_spki),
      certified: row.certified === true,
    },
    sealedPrivateKey: plainBytesOrNull(row.sealed_private_key),
  };
}

/** Columns read for a ReportedDevice (besides its line and claim time, subqueries). */
export const REPORTED_COLUMNS = [
  'id',
  'product_id',
  'layout_version',
  'work_order_id',
  'serial',
  'state',
  'chip_uid',
  'station_id',
  'job_id',
  'image_data',
  'lock_blocks',
  'secret_fields',
  'certificate_sha256',
] as const;

export interface ReportedRow {
  id: string;
  product_id: string;
  layout_version: number;
  work_order_id: string | null;
  serial: string;
  state: DeviceState;
  chip_uid: Uint8Array | null;
  station_id: string | null;
  job_id: string | null;
  image_data: Uint8Array;
  lock_blocks: number[];
  secret_fields: JsonValue;
  certificate_sha256: Uint8Array | null;
  line: string | null;
  claimed_at: Date | null;
}

export function toReportedDevice(row: ReportedRow): ReportedDevice {
  return {
    id: row.id,
    productId: row.product_id,
    layoutVersion: row.layout_version,
    workOrderId: row.work_order_id,
    serial: row.serial,
    state: row.state,
    chipUid: plainBytesOrNull(row.chip_uid),
    stationId: row.station_id,
    jobId: row.job_id,
    imageData: plainBytes(row.image_data),
    lockBlocks: row.lock_blocks,
    secretFields: row.secret_fields,
    certificateSha256: plainBytesOrNull(row.certificate_sha256),
    line: row.line ?? '',
    claimedAt: row.claimed_at,
  };
}

export interface DeviceEventRow {
  id: number;
  device_id: string;
  at: Date;
  from_state: DeviceState | null;
  to_state: DeviceState;
  reason: string | null;
  actor: string;
  chip_uid: Uint8Array | null;
  details: JsonValue | null;
}

export function toDeviceEventRecord(row: DeviceEventRow): DeviceEventRecord {
  return {
    id: row.id,
    deviceId: row.device_id,
    at: row.at,
    fromState: row.from_state,
    toState: row.to_state,
    reason: row.reason,
    actor: row.actor,
    chipUid: plainBytesOrNull(row.chip_uid),
    details: row.details,
  };
}
