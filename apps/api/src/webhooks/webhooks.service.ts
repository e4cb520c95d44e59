import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { ApiConfig } from '../config/api-config.js';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { cursorPage, decodeCursor } from '../http/cursor.js';
import { type WebhookDeliveryRecord, WebhookDeliveryRepository } from '../repositories/webhook-deliveries.js';
import {
  type WebhookSubscriptionRecord,
  WebhookSubscriptionRepository,
} from '../repositories/webhook-subscriptions.js';
import { formatWebhookSecret, generateWebhookSecret } from './signature.js';
import type { WebhookEventType } from './webhook-events.js';
import { webhookUrlIssues } from './webhook-url.js';
import type {
  CreateWebhookRequest,
  DeliveryList,
  DeliveryListQuery,
  DeliveryView,
  UpdateWebhookRequest,
  WebhookList,
  WebhookListQuery,
  WebhookView,
  WebhookWithSecret,
} from './webhooks.schemas.js';

/** The subscription list (oldest first) and a subscription's deliveries (newest first), by position. */
const WEBHOOK_LIST = 'webhooks';
const DELIVERY_LIST = 'webhook-deliveries';
const positionKey = z.tuple([z.int().min(0)]);

function toView(record: WebhookSubscriptionRecord): WebhookView {
  return {
    id: record.id,
    url: record.url,
    eventTypes: record.eventTypes as WebhookEventType[],
    enabled: record.enabled,
    createdAt: record.createdAt.toISOString(),
    secretRotatedAt: record.secretRotatedAt?.toISOString() ?? null,
  };
}

function toDeliveryView(record: WebhookDeliveryRecord): DeliveryView {
  return {
    id: record.id,
    webhookId: record.subscriptionId,
    eventId: record.eventId,
    eventType: record.eventType as WebhookEventType,
    orderingKey: record.orderingKey,
    sequence: record.sequence,
    status: record.status,
    attempts: record.attempts,
    nextAttemptAt: record.nextAttemptAt.toISOString(),
    lastErrorClass: record.lastErrorClass,
    lastResponseStatus: record.lastResponseStatus,
    deliveredAt: record.deliveredAt?.toISOString() ?? null,
    createdAt: record.createdAt.toISOString(),
    attemptLog: record.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      startedAt: attempt.startedAt.toISOString(),
      durationMs: attempt.durationMs,
      outcome: attempt.outcome,
      responseStatus: attempt.responseStatus,
      errorClass: attempt.errorClass,
    })),
  };
}

const webhookNotFound = (id: string) =>
  new AppError('WEBHOOK_NOT_FOUND', `no webhook subscription ${id}`, { extensions: { webhookId: id } });

/**
 * Webhook subscriptions (`/v1/webhooks`, admin): create (the secret is made here and shown once),
 * list and read (never the secret), enable or disable, delete, rotate the secret; a subscription's
 * delivery log and the replay of a delivery. Delivery itself is the dispatcher's.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(WebhookSubscriptionRepository) private readonly subscriptions: WebhookSubscriptionRepository,
    @Inject(WebhookDeliveryRepository) private readonly deliveries: WebhookDeliveryRepository,
  ) {}

  /** @throws AppError WEBHOOK_URL_REFUSED naming body.url; nothing is stored. */
  async create(request: CreateWebhookRequest, principal: Principal): Promise<WebhookWithSecret> {
    const issues = webhookUrlIssues(request.url, this.config.webhooks.allowHttp);
    if (issues.length > 0) {
      throw new AppError('WEBHOOK_URL_REFUSED', 'the webhook URL is not accepted', { errors: issues });
    }
    const secret = generateWebhookSecret();
    try {
      const record = await this.subscriptions.create({
        url: request.url,
        eventTypes: request.eventTypes,
        secret,
        createdBy: principal.tokenId,
      });
      return { ...toView(record), secret: formatWebhookSecret(secret) };
    } finally {
      secret.fill(0);
    }
  }

  /** Subscriptions, oldest first. @throws AppError CURSOR_INVALID. */
  async list(query: WebhookListQuery): Promise<WebhookList> {
    const after = query.cursor === undefined ? 0 : decodeCursor(WEBHOOK_LIST, query.cursor, positionKey)[0];
    const records = await this.subscriptions.list(query.limit + 1, after);
    const page = cursorPage(WEBHOOK_LIST, records, query.limit, (record) => [record.position]);
    return { webhooks: page.items.map(toView), nextCursor: page.nextCursor };
  }

  /** @throws AppError WEBHOOK_NOT_FOUND. */
  async get(id: string): Promise<WebhookView> {
    const record = await this.subscriptions.get(id);
    if (record === undefined) throw webhookNotFound(id);
    return toView(record);
  }

  /** @throws AppError WEBHOOK_NOT_FOUND. */
  async update(id: string, request: UpdateWebhookRequest): Promise<WebhookView> {
    const record = await this.subscriptions.setEnabled(id, request.enabled);
    if (record === undefined) throw webhookNotFound(id);
    return toView(record);
  }

  /** @throws AppError WEBHOOK_NOT_FOUND. */
  async delete(id: string): Promise<void> {
    if (!(await this.subscriptions.delete(id))) throw webhookNotFound(id);
  }

  /** A new secret, shown once; the old one signs nothing from now on. @throws AppError WEBHOOK_NOT_FOUND. */
  async rotateSecret(id: string): Promise<WebhookWithSecret> {
    const secret = generateWebhookSecret();
    try {
      const record = await this.subscriptions.rotateSecret(id, secret);
      if (record === undefined) throw webhookNotFound(id);
      return { ...toView(record), secret: formatWebhookSecret(secret) };
    } finally {
      secret.fill(0);
    }
  }

  /** Deliveries of one subscription, newest first. @throws AppError WEBHOOK_NOT_FOUND, CURSOR_INVALID. */
  async deliveryLog(id: string, query: DeliveryListQuery): Promise<DeliveryList> {
    await this.get(id);
    const before = query.cursor === undefined ? undefined : decodeCursor(DELIVERY_LIST, query.cursor, positionKey)[0];
    const filters = { status: query.status, eventId: query.eventId };
    const records = await this.deliveries.list(id, filters, query.limit + 1, before);
    const page = cursorPage(DELIVERY_LIST, records, query.limit, (record) => [record.position]);
    return { deliveries: page.items.map(toDeliveryView), nextCursor: page.nextCursor };
  }

  /**
   * Sends a delivery again, now, with a fresh attempt budget and the same event id (a receiver that
   * de-duplicates by `webhook-id` sees it once). @throws AppError WEBHOOK_NOT_FOUND, WEBHOOK_DELIVERY_NOT_FOUND.
   */
  async replay(id: string, deliveryId: string): Promise<DeliveryView> {
    await this.get(id);
    if (!(await this.deliveries.replay(id, deliveryId))) {
      throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', `webhook ${id} has no delivery ${deliveryId}`, {
        extensions: { webhookId: id, deliveryId },
      });
    }
    const record = await this.deliveries.get(id, deliveryId);
    if (record === undefined) throw webhookNotFound(id);
    return toDeliveryView(record);
  }
}
