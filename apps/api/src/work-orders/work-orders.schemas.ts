import { z } from 'zod';
import { ProductId } from '../catalogue/products.schemas.js';
import { requestModel, responseModel } from '../http/api-models.js';
import { cursorParam, limitParam, nextCursorField } from '../http/cursor.js';
import { workOrderReportSchema } from './work-order-report-schema.js';

/** Largest quantity of one work order (the MES splits bigger batches). */
export const MAX_WORK_ORDER_QUANTITY = 1_000_000;

export const WorkOrderId = z.uuid().describe('Work order id');

export const CreateWorkOrderRequest = requestModel(
  'CreateWorkOrderRequest',
  z.strictObject({
    productId: ProductId,
    quantity: z.int().min(1).max(MAX_WORK_ORDER_QUANTITY).describe('Devices planned (the issuing quota)'),
    layoutVersion: z
      .int()
      .min(1)
      .max(2_147_483_647)
      .optional()
      .describe("The product's layout version to provision; default: its latest at creation time"),
  }),
);
export type CreateWorkOrderRequest = z.output<typeof CreateWorkOrderRequest>;

const count = z.int().min(0);

export const WorkOrderCountsView = responseModel(
  'WorkOrderCounts',
  z
    .object({
      planned: count.describe('The quantity'),
      issued: count.describe('Identities handed out so far (never above planned)'),
      queued: count,
      claimed: count,
      provisioned: count,
      failed: count.describe('quarantined + scrapped'),
      quarantined: count,
      scrapped: count,
    })
    .describe("Progress of a work order, counted from its devices' states"),
);

export const WorkOrderReportEnvelope = responseModel(
  'WorkOrderReportEnvelope',
  z
    .object({
      payloadType: z.literal('application/vnd.ingrain.work-order-report.v1+json'),
      payload: z.string().describe('Standard base64 of the report (RFC 8785 canonical JSON)'),
      signatures: z.array(
        z.object({
          keyid: z.string().describe('SHA-256 (hex) of the attestation key SPKI'),
          sig: z.string().describe('Base64 of the DER ECDSA P-256 signature over the DSSE PAE'),
        }),
      ),
    })
    .describe('DSSE envelope of a close report, signed by the attestation key (docs/api-domain.md)'),
);
export type WorkOrderReportEnvelope = z.output<typeof WorkOrderReportEnvelope>;

export const WorkOrderView = responseModel(
  'WorkOrder',
  z
    .object({
      id: z.uuid(),
      productId: z.string(),
      layoutVersion: z.int().min(1),
      quantity: z.int().min(1),
      status: z.enum(['open', 'closed']).describe('A closed work order issues no more devices'),
      createdAt: z.iso.datetime(),
      closedAt: z.iso.datetime().nullable(),
      counts: WorkOrderCountsView,
      reportEnvelope: WorkOrderReportEnvelope.nullable().describe('The signed close report, once closed'),
    })
    .describe('A quantity of one product at one layout version'),
);
export type WorkOrderView = z.output<typeof WorkOrderView>;

export const WorkOrderReportView = responseModel(
  'WorkOrderReport',
  workOrderReportSchema.describe("The close report (v1): the envelope's payload, decoded"),
);
export type WorkOrderReportView = z.output<typeof WorkOrderReportView>;

export const ClosedWorkOrder = responseModel(
  'ClosedWorkOrder',
  z
    .object({
      workOrder: WorkOrderView,
      envelope: WorkOrderReportEnvelope,
      report: WorkOrderReportView,
    })
    .describe('A closed work order with its signed report (the same on every close call)'),
);
export type ClosedWorkOrder = z.output<typeof ClosedWorkOrder>;

const instant = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((text) => new Date(text))
    .describe(what);

export const WorkOrderListQuery = z
  .strictObject({
    status: z.enum(['open', 'closed']).optional().describe('Only open or only closed work orders'),
    productId: z.string().min(1).max(64).optional().describe('Only work orders of this product'),
    from: instant('Only work orders created at or after this instant (RFC 3339)').optional(),
    to: instant('Only work orders created before this instant (RFC 3339)').optional(),
    limit: limitParam(500, 100),
    cursor: cursorParam,
  })
  .superRefine((query, context) => {
    // Refinements run even when a field failed: an unparseable date is still its text here.
    if (query.from instanceof Date && query.to instanceof Date && query.from.getTime() >= query.to.getTime()) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    }
  });
export type WorkOrderListQuery = z.output<typeof WorkOrderListQuery>;

export const WorkOrderList = responseModel(
  'WorkOrderList',
  z
    .object({
      workOrders: z.array(WorkOrderView).describe('Newest first'),
      nextCursor: nextCursorField,
    })
    .describe('One page of work orders, newest first'),
);
export type WorkOrderList = z.output<typeof WorkOrderList>;
