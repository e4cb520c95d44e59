// The webhook event contract (docs/webhooks.md § Payloads): the one place the types and the bodies
// of the events are declared. A body carries identifiers, states and reasons only: never a secret
// value, a secret field's bytes or offsets, an image or a key.
import { randomUUID } from 'node:crypto';
import { bytesToHex } from '#ingrain/encoding';
import type { DeviceState } from '#ingrain/contracts';
import type { DeviceRecord } from '../repositories/device-records.js';
import type { OutboxEvent } from '../repositories/webhook-outbox.js';
import type { WorkOrderReport } from '../work-orders/work-order-report.js';

export const WEBHOOK_EVENT_TYPES = [
  'device.provisioned',
  'device.quarantined',
  'device.failed',
  'work_order.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The device record fields a device event is made from. */
export type DeviceFactsSource = Pick<
  DeviceRecord,
  'id' | 'serial' | 'productId' | 'layoutVersion' | 'workOrderId' | 'chipUid'
>;

/** What every device event says about the device. */
export interface DeviceFacts {
  readonly deviceId: string;
  readonly serial: string;
  readonly productId: string;
  readonly layoutVersion: number;
  readonly workOrderId: string | null;
  /** The station that holds (or held) the device; null if never claimed. */
  readonly stationId: string | null;
  /** Lowercase hex; null if never claimed. */
  readonly chipUid: string | null;
}

export interface DeviceProvisionedData extends DeviceFacts {
  readonly state: 'provisioned';
  /** The attestation's position in the transparency log (GET /v1/attestations/{leafIndex}). */
  readonly attestationLeafIndex: number;
}

export interface DeviceQuarantinedData extends DeviceFacts {
  readonly state: 'quarantined';
  /** The judgement's reason (`readback-mismatch`, `identity-mismatch`, `station-conflict`, …). */
  readonly reason: string;
}

/** The identity is given up for good (scrapped by an admin): the device will never be provisioned. */
export interface DeviceFailedData extends DeviceFacts {
  readonly state: 'scrapped';
  readonly fromState: DeviceState;
  /** The admin's reason. */
  readonly reason: string;
}

export interface WorkOrderClosedData {
  readonly workOrderId: string;
  readonly productId: string;
  readonly layoutVersion: number;
  readonly closedAt: string;
  readonly counts: WorkOrderReport['counts'];
}

/** The body of every delivery (Standard Webhooks: `type`, `timestamp`, `data`), plus id and order. */
export interface WebhookEventBody<T extends WebhookEventType, D> {
  /** Equals the `webhook-id` header: the same for every attempt and replay of the event. */
  readonly id: string;
  readonly type: T;
  /** When the change was recorded, in its transaction (RFC 3339, UTC). */
  readonly timestamp: string;
  /** `device:<deviceId>` or `work-order:<workOrderId>`. */
  readonly orderingKey: string;
  /** 1, 2, … per ordering key: a receiver can tell a gap or an old event. */
  readonly sequence: number;
  readonly data: D;
}

function outboxEvent<T extends WebhookEventType, D>(type: T, orderingKey: string, data: D, at: Date): OutboxEvent {
  const id = randomUUID();
  // JSON.stringify of the body object below with its keys in this order, cut around `sequence` (an
  // integer, so it renders as its decimal digits): the outbox numbers the event in SQL.
  const head: Omit<WebhookEventBody<T, D>, 'sequence' | 'data'> = {
    id,
    type,
    timestamp: at.toISOString(),
    orderingKey,
  };
  const bodyAround = {
    before: `${JSON.stringify(head).slice(0, -1)},"sequence":`,
    after: `,"data":${JSON.stringify(data)}}`,
  };
  const render = (sequence: number): string => {
    if (!Number.isSafeInteger(sequence)) throw new RangeError(`sequence ${sequence} is not an integer`);
    return `${bodyAround.before}${sequence}${bodyAround.after}`;
  };
  return { id, type, orderingKey, render, bodyAround };
}

function deviceFacts(device: DeviceFactsSource, stationId: string | null): DeviceFacts {
  return {
    deviceId: device.id,
    serial: device.serial,
    productId: device.productId,
    layoutVersion: device.layoutVersion,
    workOrderId: device.workOrderId,
    stationId,
    chipUid: device.chipUid === null ? null : bytesToHex(device.chipUid),
  };
}

const deviceKey = (deviceId: string) => `device:${deviceId}`;

export function deviceProvisionedEvent(
  device: DeviceFactsSource,
  stationId: string,
  attestationLeafIndex: number,
  at: Date = new Date(),
): OutboxEvent {
  const data: DeviceProvisionedData = {
    ...deviceFacts(device, stationId),
    state: 'provisioned',
    attestationLeafIndex,
  };
  return outboxEvent('device.provisioned', deviceKey(device.id), data, at);
}

export function deviceQuarantinedEvent(
  device: DeviceFactsSource,
  stationId: string,
  reason: string,
  at: Date = new Date(),
): OutboxEvent {
  const data: DeviceQuarantinedData = { ...deviceFacts(device, stationId), state: 'quarantined', reason };
  return outboxEvent('device.quarantined', deviceKey(device.id), data, at);
}

/** `device` as read after the scrap (its chip and station as they were). */
export function deviceFailedEvent(
  device: DeviceRecord,
  fromState: DeviceState,
  reason: string,
  at: Date = new Date(),
): OutboxEvent {
  const data: DeviceFailedData = { ...deviceFacts(device, device.stationId), state: 'scrapped', fromState, reason };
  return outboxEvent('device.failed', deviceKey(device.id), data, at);
}

export function workOrderClosedEvent(report: WorkOrderReport): OutboxEvent {
  const data: WorkOrderClosedData = {
    workOrderId: report.workOrderId,
    productId: report.productId,
    layoutVersion: report.layout.version,
    closedAt: report.closedAt,
    counts: report.counts,
  };
  return outboxEvent('work_order.closed', `work-order:${report.workOrderId}`, data, new Date(report.closedAt));
}
