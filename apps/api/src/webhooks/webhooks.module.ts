import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/** `/v1/webhooks` (admin) and the delivery worker of the outbox (docs/webhooks.md). */
@Module({ controllers: [WebhooksController], providers: [WebhooksService, WebhookSender, WebhookDispatcher] })
export class WebhooksModule {}
