// The report a work order closes with (POST /v1/work-orders/{id}/close): counts and a digest of
// every device, in canonical JSON, DSSE-signed with the attestation key (work-order-envelope.ts).
// Format: docs/api-domain.md ("Work-order close report").
import { type DeviceState } from '#ingrain/contracts';
import { sha256Hex } from '#ingrain/crypto';
import { strictCanonicalJsonBytes } from '#ingrain/encoding';
import { AppError } from '../errors/app-error.js';

export const WORK_ORDER_REPORT_FORMAT_VERSION = 1;
export const WORK_ORDER_REPORT_PAYLOAD_TYPE = 'application/vnd.ingrain.work-order-report.v1+json';

/** One device of the work order as the report's device list records it. */
export interface WorkOrderDeviceEntry {
  readonly deviceId: string;
  readonly serial: string;
  readonly state: DeviceState;
  /** Lowercase hex of the bound chip's UID, or null if none is bound. */
  readonly chipUid: string | null;
  /** The provisioned device's attestation in the transparency log; null for every other state. */
  readonly attestationLeafIndex: number | null;
}

/** How the work order ended. `failed` = quarantined + scrapped; `unfinished` = still queued or claimed. */
export interface WorkOrderCounts {
  readonly planned: number;
  readonly issued: number;
  readonly provisioned: number;
  readonly quarantined: number;
  readonly scrapped: number;
  readonly failed: number;
  readonly unfinished: number;
}

export interface WorkOrderReportInput {
  readonly workOrder: {
    readonly id: string;
    readonly productId: string;
    readonly layoutVersion: number;
    readonly layoutDigestSha256: string;
    readonly quantity: number;
    /** work_orders.issued: must equal the number of devices. */
    readonly issued: number;
    readonly createdAt: Date;
  };
  /** Every device of the work order, in any order. */
  readonly devices: readonly WorkOrderDeviceEntry[];
  readonly closedAt: Date;
  /** Who closed it: the MES token's id (never the token). */
  readonly closedBy: string;
  /** The transparency log's signed checkpoint at closing time (null if the log is empty). */
  readonly log: { readonly treeSize: number; readonly rootHashSha256: string } | null;
}

/** The v1 report: the DSSE payload, serialized with RFC 8785 (JCS). */
export interface WorkOrderReport {
  readonly formatVersion: 1;
  readonly workOrderId: string;
  readonly productId: string;
  readonly layout: { readonly version: number; readonly digestSha256: string };
  readonly createdAt: string;
  readonly closedAt: string;
  readonly closedBy: string;
  readonly counts: WorkOrderCounts;
  /** `listSha256` = SHA-256 of {@link workOrderDeviceListBytes} over the same devices. */
  readonly devices: { readonly count: number; readonly listSha256: string };
  readonly log: { readonly treeSize: number; readonly rootHashSha256: string } | null;
}

/** Counts of a work order from its devices' states. */
export function countWorkOrderDevices(planned: number, states: readonly DeviceState[]): WorkOrderCounts {
  const of = (state: DeviceState) => states.filter((s) => s === state).length;
  const quarantined = of('quarantined');
  const scrapped = of('scrapped');
  return {
    planned,
    issued: states.length,
    provisioned: of('provisioned'),
    quarantined,
    scrapped,
    failed: quarantined + scrapped,
    unfinished: of('queued') + of('claimed'),
  };
}

/**
 * The canonical device list a report's `devices.listSha256` covers: a JCS array of
 * `{ attestationLeafIndex, chipUid, deviceId, serial, state }`, sorted by serial then device id.
 * The API can hand these exact bytes to an auditor, who hashes them.
 */
export function workOrderDeviceListBytes(devices: readonly WorkOrderDeviceEntry[]): Uint8Array {
  const entries = [...devices]
    .sort((a, b) => compare(a.serial, b.serial) || compare(a.deviceId, b.deviceId))
    .map(({ deviceId, serial, state, chipUid, attestationLeafIndex }) => ({
      deviceId,
      serial,
      state,
      chipUid,
      attestationLeafIndex,
    }));
  return strictCanonicalJsonBytes(entries);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Builds the close report. Checks the facts agree: as many devices as `issued`, no more issued than
 * planned, an attestation leaf for exactly the provisioned devices.
 *
 * @throws AppError `WORK_ORDER_COUNTS_INCONSISTENT` when they do not: a bug or a
 *   concurrent change, never something the MES can fix.
 */
export function buildWorkOrderReport(input: WorkOrderReportInput): WorkOrderReport {
  const { workOrder, devices } = input;
  assertConsistent(input);
  return {
    formatVersion: WORK_ORDER_REPORT_FORMAT_VERSION,
    workOrderId: workOrder.id,
    productId: workOrder.productId,
    layout: { version: workOrder.layoutVersion, digestSha256: workOrder.layoutDigestSha256.toLowerCase() },
    createdAt: workOrder.createdAt.toISOString(),
    closedAt: input.closedAt.toISOString(),
    closedBy: input.closedBy,
    counts: countWorkOrderDevices(
      workOrder.quantity,
      devices.map((device) => device.state),
    ),
    devices: { count: devices.length, listSha256: sha256Hex(workOrderDeviceListBytes(devices)) },
    log:
      input.log === null
        ? null
        : { treeSize: input.log.treeSize, rootHashSha256: input.log.rootHashSha256.toLowerCase() },
  };
}

function assertConsistent(input: WorkOrderReportInput): void {
  const { workOrder, devices } = input;
  const problems: string[] = [];
  if (devices.length !== workOrder.issued) problems.push(`${devices.length} devices but issued = ${workOrder.issued}`);
  if (workOrder.issued > workOrder.quantity)
    problems.push(`issued ${workOrder.issued} > planned ${workOrder.quantity}`);
  const badLeaf = devices.filter((d) => (d.state === 'provisioned') !== (d.attestationLeafIndex !== null));
  if (badLeaf.length > 0)
    problems.push(`${badLeaf.length} device(s) with an attestation leaf that does not match their state`);
  if (problems.length > 0) {
    throw new AppError('WORK_ORDER_COUNTS_INCONSISTENT', `work order ${workOrder.id}: ${problems.join('; ')}`);
  }
}

/** The DSSE payload bytes of a report: UTF-8 of its JCS serialization. */
export function workOrderReportBytes(report: WorkOrderReport): Uint8Array {
  return strictCanonicalJsonBytes(report);
}
