// Request and response models of /v1/webhooks (docs/webhooks.md).
import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES } from '../database/webhook-tables.js';
import { requestModel, responseModel } from '../http/api-models.js';
import { cursorParam, limitParam, nextCursorField } from '../http/cursor.js';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.js';

export const WebhookId = z.uuid().describe('Webhook subscription id');
export const DeliveryId = z.uuid().describe('Delivery id (one event to one subscription)');

const EventType = z.enum(WEBHOOK_EVENT_TYPES).describe('An event type (docs/webhooks.md § Payloads)');

export const CreateWebhookRequest = requestModel(
  'CreateWebhookRequest',
  z.strictObject({
    url: z
      .string()
      .min(1)
      .max(2048)
      .describe('The receiver: https://, or http:// for a loopback host (or when INGRAIN_WEBHOOKS_ALLOW_HTTP=true)'),
    eventTypes: z
      .array(EventType)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length)
      .refine((types) => new Set(types).size === types.length, 'each event type at most once')
      .describe('The events to deliver'),
  }),
);
export type CreateWebhookRequest = z.output<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = requestModel(
  'UpdateWebhookRequest',
  z.strictObject({
    enabled: z.boolean().describe('false: nothing is delivered (deliveries wait); true: delivery resumes'),
  }),
);
export type UpdateWebhookRequest = z.output<typeof UpdateWebhookRequest>;

const webhookFields = {
  id: WebhookId,
  url: z.string(),
  eventTypes: z.array(EventType),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  secretRotatedAt: z.iso.datetime().nullable(),
};

export const WebhookView = responseModel(
  'Webhook',
  z.object(webhookFields).describe('A webhook subscription, without its secret'),
);
export type WebhookView = z.output<typeof WebhookView>;

export const WebhookWithSecret = responseModel(
  'WebhookWithSecret',
  z
    .object({
      ...webhookFields,
      secret: z
        .string()
        .describe('The signing secret (whsec_ + base64, Standard Webhooks): shown in this answer only; keep it'),
    })
    .describe('A subscription with its new secret'),
);
export type WebhookWithSecret = z.output<typeof WebhookWithSecret>;

/** Page size of the webhook lists: 1-100, default 50. */
const LimitParam = limitParam(100, 50);

export const WebhookListQuery = z.strictObject({ limit: LimitParam, cursor: cursorParam });
export type WebhookListQuery = z.output<typeof WebhookListQuery>;

export const WebhookList = responseModel(
  'WebhookList',
  z.object({
    webhooks: z.array(WebhookView),
    nextCursor: nextCursorField,
  }),
);
export type WebhookList = z.output<typeof WebhookList>;

const DeliveryStatus = z
  .enum(WEBHOOK_DELIVERY_STATUSES)
  .describe('pending (due or waiting for a retry or an earlier event), delivered, dead (attempts exhausted)');

export const DeliveryListQuery = z.strictObject({
  status: DeliveryStatus.optional(),
  eventId: z.uuid().optional().describe('Only the delivery of this event'),
  limit: LimitParam,
  cursor: cursorParam,
});
export type DeliveryListQuery = z.output<typeof DeliveryListQuery>;

const AttemptView = z.object({
  attempt: z.number().int().describe('1 for the first attempt of a delivery (a replay starts again at 1)'),
  startedAt: z.iso.datetime(),
  durationMs: z.number().int(),
  outcome: z.enum(['delivered', 'failed']),
  responseStatus: z.number().int().nullable().describe("The receiver's HTTP status; null without an answer"),
  errorClass: z
    .string()
    .nullable()
    .describe('timeout, connection, http-3xx, http-4xx, http-5xx, http-other; null when delivered'),
});

export const DeliveryView = responseModel(
  'WebhookDelivery',
  z
    .object({
      id: DeliveryId,
      webhookId: WebhookId,
      eventId: z.uuid().describe('The event id (the webhook-id header): stable across retries and replays'),
      eventType: EventType,
      orderingKey: z.string().describe('device:<id> or work-order:<id>: events of one key are delivered in order'),
      sequence: z.number().int().describe('The event number under its ordering key (1, 2, …)'),
      status: DeliveryStatus,
      attempts: z.number().int().describe('Attempts made since creation or the last replay'),
      nextAttemptAt: z.iso.datetime().describe('When a pending delivery is due'),
      lastErrorClass: z.string().nullable(),
      lastResponseStatus: z.number().int().nullable(),
      deliveredAt: z.iso.datetime().nullable(),
      createdAt: z.iso.datetime(),
      attemptLog: z.array(AttemptView).describe('Every attempt, oldest first'),
    })
    .describe('One event to one subscription, with its attempts'),
);
export type DeliveryView = z.output<typeof DeliveryView>;

export const DeliveryList = responseModel(
  'WebhookDeliveryList',
  z.object({
    deliveries: z.array(DeliveryView).describe('Newest first'),
    nextCursor: nextCursorField,
  }),
);
export type DeliveryList = z.output<typeof DeliveryList>;
