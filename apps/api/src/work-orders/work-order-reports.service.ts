import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { cursorPage, decodeCursor } from '../http/cursor.js';
import { WorkOrderDevices } from '../repositories/work-order-devices.js';
import { WorkOrderRepository } from '../repositories/work-order-repository.js';
import { reportOf, storedEnvelope } from './stored-report.js';
import type { ClosedWorkOrderReport, DeviceListQuery, WorkOrderDeviceListPage } from './work-order-report.schemas.js';
import { workOrderNotFound } from './work-order-errors.js';

/** The report's device list, ordered by serial then device id (code points). */
const DEVICE_LIST = 'work-order-report-devices';
const deviceKey = z.tuple([z.string().max(256), z.uuid()]);

function notClosed(id: string): AppError {
  return new AppError('WORK_ORDER_NOT_CLOSED', `work order ${id} is still open: it has no close report yet`);
}

/**
 * A closed work order's signed close report and the device list its `devices.listSha256` covers,
 * for auditors (read-only).
 */
@Injectable()
export class WorkOrderReportsService {
  constructor(
    @Inject(WorkOrderRepository) private readonly workOrders: WorkOrderRepository,
    @Inject(WorkOrderDevices) private readonly devices: WorkOrderDevices,
  ) {}

  /** @throws AppError WORK_ORDER_NOT_FOUND, WORK_ORDER_NOT_CLOSED, WORK_ORDER_RECORD_INVALID. */
  async report(id: string): Promise<ClosedWorkOrderReport> {
    const order = await this.workOrders.get(id);
    if (order === undefined) throw workOrderNotFound(id);
    if (order.report === null) throw notClosed(id);
    const envelope = storedEnvelope(id, order.report);
    return { workOrderId: id, envelope, report: reportOf(id, envelope) };
  }

  /**
   * One page of the report's device list, in the report's order. The list is read now: a device
   * still queued or claimed at closing can have moved since, and then the pages no longer hash to
   * `devices.listSha256` (docs/api.md says so).
   *
   * @throws AppError WORK_ORDER_NOT_FOUND, WORK_ORDER_NOT_CLOSED, CURSOR_INVALID.
   */
  async devicePage(id: string, query: DeviceListQuery): Promise<WorkOrderDeviceListPage> {
    const order = await this.workOrders.get(id);
    if (order === undefined) throw workOrderNotFound(id);
    if (order.report === null) throw notClosed(id);
    const after = query.cursor === undefined ? undefined : decodeCursor(DEVICE_LIST, query.cursor, deviceKey);
    const position = after === undefined ? undefined : { serial: after[0], deviceId: after[1] };
    const rows = await this.devices.page(id, position, query.limit + 1);
    const page = cursorPage(DEVICE_LIST, rows, query.limit, (row) => [row.serial, row.deviceId]);
    return { devices: page.items, nextCursor: page.nextCursor };
  }
}
