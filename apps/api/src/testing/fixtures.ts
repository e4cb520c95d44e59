// Records as the repositories return them, for unit tests of the services (override any member).
import { parseLayout } from '#ingrain/otp';
import type { Principal } from '../auth/principal.js';
import type { ResolvedLayout } from '../catalogue/layout-cache.js';
import type { AttestationRecord } from '../repositories/attestation-repository.js';
import type { DeviceEventRecord, DeviceRecord } from '../repositories/device-records.js';
import type { LayoutRecord } from '../repositories/layout-repository.js';
import type { ProductRecord } from '../repositories/product-repository.js';
import type { WorkOrderRecord } from '../repositories/work-order-repository.js';

export const DEVICE_ID = '0b8f6d2e-4c1a-4f0e-9a57-3c2d1e0f9a01';
export const OTHER_DEVICE_ID = '0b8f6d2e-4c1a-4f0e-9a57-3c2d1e0f9a02';
export const WORK_ORDER_ID = '7d1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
export const PRODUCT_ID = 'sensor-node';
export const STATION_ID = 'st-1';
export const CHIP_UID = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67]);

const AT = new Date('2026-01-02T03:04:05.000Z');

/** A station's principal, on `line-1` with a registered sealing key unless told otherwise. */
export function stationPrincipal(
  stationId = STATION_ID,
  station: { line?: string; sealingKey?: Uint8Array | null } = {},
): Principal {
  return {
    tokenId: 'token-station',
    tokenName: `station-${stationId}`,
    role: 'station',
    stationId,
    stationLine: station.line ?? 'line-1',
    stationSealingKey: station.sealingKey === undefined ? STATION_SEALING_KEY : station.sealingKey,
  };
}

/** A 65-byte stand-in for a station's registered sealing key (unit specs that do not seal). */
export const STATION_SEALING_KEY = Uint8Array.from([4, ...new Array<number>(64).fill(1)]);

export function mesPrincipal(): Principal {
  return {
    tokenId: 'token-mes',
    tokenName: 'mes',
    role: 'mes',
    stationId: null,
    stationLine: null,
    stationSealingKey: null,
  };
}

export function adminPrincipal(): Principal {
  return {
    tokenId: 'token-admin',
    tokenName: 'admin',
    role: 'admin',
    stationId: null,
    stationLine: null,
    stationSealingKey: null,
  };
}

export function deviceRecord(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    id: DEVICE_ID,
    productId: PRODUCT_ID,
    layoutVersion: 1,
    workOrderId: null,
    serial: 'SN000001',
    state: 'queued',
    idempotencyKey: 'key-1',
    requestedBy: 'token-mes',
    requestHash: new Uint8Array(32),
    chipUid: null,
    stationId: null,
    jobId: DEVICE_ID,
    imageData: new Uint8Array(512).fill(0xff),
    lockBlocks: [0],
    secretFields: [],
    hasSealedPrivateKey: false,
    publicKeySpki: null,
    certificateDer: null,
    certificateSha256: null,
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

/** A device bound to {@link CHIP_UID} by {@link STATION_ID}. */
export function claimedDevice(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return deviceRecord({ state: 'claimed', chipUid: CHIP_UID, stationId: STATION_ID, ...overrides });
}

export function deviceEvent(overrides: Partial<DeviceEventRecord> = {}): DeviceEventRecord {
  return {
    id: 1,
    deviceId: DEVICE_ID,
    at: AT,
    fromState: null,
    toState: 'queued',
    reason: 'requested',
    actor: 'token-mes',
    chipUid: null,
    details: null,
    ...overrides,
  };
}

export function productRecord(overrides: Partial<ProductRecord> = {}): ProductRecord {
  return {
    id: PRODUCT_ID,
    name: 'Sensor node',
    line: 'line-a',
    serialPrefix: 'SN',
    serialNext: 1,
    latestLayoutVersion: 1,
    createdAt: AT,
    ...overrides,
  };
}

export function workOrderRecord(overrides: Partial<WorkOrderRecord> = {}): WorkOrderRecord {
  return {
    id: WORK_ORDER_ID,
    productId: PRODUCT_ID,
    layoutVersion: 1,
    quantity: 2,
    issued: 0,
    status: 'open',
    report: null,
    createdAt: AT,
    closedAt: null,
    ...overrides,
  };
}

export function layoutRecord(overrides: Partial<LayoutRecord> = {}): LayoutRecord {
  return {
    productId: PRODUCT_ID,
    version: 1,
    sourceText: '',
    definition: {},
    digest: 'ab'.repeat(32),
    family: 'stm32f4',
    createdAt: AT,
    ...overrides,
  };
}

export function attestationRecord(overrides: Partial<AttestationRecord> = {}): AttestationRecord {
  return {
    leafIndex: 0,
    deviceId: DEVICE_ID,
    envelope: '{}',
    serial: 'SN000001',
    chipUid: CHIP_UID,
    productId: PRODUCT_ID,
    workOrderId: null,
    stationId: STATION_ID,
    createdAt: AT,
    ...overrides,
  };
}

/** A small F4 layout (one input field in block 0) as the LayoutCache resolves it. */
export function resolvedLayout(): ResolvedLayout {
  const layout = parseLayout(
    'name: unit\nversion: 1\nfamily: stm32f4\nfields:\n  - { name: label, block: 0, offset: 0, type: ascii, length: 8, source: input }\nlock: [0]\n',
  );
  return { record: layoutRecord(), layout };
}
