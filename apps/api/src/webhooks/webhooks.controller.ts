import { Controller, Delete, Get, Inject, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import {
  CreateWebhookRequest,
  DeliveryId,
  DeliveryList,
  DeliveryListQuery,
  DeliveryView,
  UpdateWebhookRequest,
  WebhookId,
  WebhookList,
  WebhookListQuery,
  WebhookView,
  WebhookWithSecret,
} from './webhooks.schemas.js';
import { WebhooksService } from './webhooks.service.js';

/** `/v1/webhooks` (admin): subscriptions to device and work-order events, their delivery log, replay. */
@ApiTags('webhooks')
@Roles('admin')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(@Inject(WebhooksService) private readonly service: WebhooksService) {}

  @Post()
  @ApiOperation({
    operationId: 'webhooksCreate',
    summary: 'Subscribe a URL to events (the secret is in this response only)',
  })
  @ZodResponse(201, WebhookWithSecret)
  @ApiProblem('WEBHOOK_URL_REFUSED')
  create(
    @ZodBody(CreateWebhookRequest) body: CreateWebhookRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<WebhookWithSecret> {
    return this.service.create(body, principal);
  }

  @Get()
  @ApiOperation({ operationId: 'webhooksList', summary: 'List webhook subscriptions (never their secrets)' })
  @ZodResponse(200, WebhookList)
  list(@ZodQuery(WebhookListQuery) query: WebhookListQuery): Promise<WebhookList> {
    return this.service.list(query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'webhooksGet', summary: 'Read a webhook subscription (never its secret)' })
  @ZodResponse(200, WebhookView)
  @ApiProblem('WEBHOOK_NOT_FOUND')
  get(@ZodParam('id', WebhookId) id: string): Promise<WebhookView> {
    return this.service.get(id);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'webhooksUpdate', summary: 'Enable or disable a subscription' })
  @ZodResponse(200, WebhookView)
  @ApiProblem('WEBHOOK_NOT_FOUND')
  update(
    @ZodParam('id', WebhookId) id: string,
    @ZodBody(UpdateWebhookRequest) body: UpdateWebhookRequest,
  ): Promise<WebhookView> {
    return this.service.update(id, body);
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'webhooksDelete', summary: 'Delete a subscription with its deliveries and their log' })
  @ZodResponse(204)
  @ApiProblem('WEBHOOK_NOT_FOUND')
  delete(@ZodParam('id', WebhookId) id: string): Promise<void> {
    return this.service.delete(id);
  }

  @Post(':id/rotate-secret')
  @ApiOperation({
    operationId: 'webhooksRotateSecret',
    summary: 'Replace the signing secret (the new one is in this response only)',
  })
  @ZodResponse(200, WebhookWithSecret)
  @ApiProblem('WEBHOOK_NOT_FOUND')
  rotateSecret(@ZodParam('id', WebhookId) id: string): Promise<WebhookWithSecret> {
    return this.service.rotateSecret(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ operationId: 'webhooksDeliveries', summary: 'The delivery log: each event, its status and attempts' })
  @ZodResponse(200, DeliveryList)
  @ApiProblem('WEBHOOK_NOT_FOUND')
  deliveries(
    @ZodParam('id', WebhookId) id: string,
    @ZodQuery(DeliveryListQuery) query: DeliveryListQuery,
  ): Promise<DeliveryList> {
    return this.service.deliveryLog(id, query);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @ApiOperation({
    operationId: 'webhooksReplay',
    summary: 'Send a delivery again now (same event id), with a fresh attempt budget',
  })
  @ZodResponse(202, DeliveryView)
  @ApiProblem('WEBHOOK_NOT_FOUND or WEBHOOK_DELIVERY_NOT_FOUND')
  replay(
    @ZodParam('id', WebhookId) id: string,
    @ZodParam('deliveryId', DeliveryId) deliveryId: string,
  ): Promise<DeliveryView> {
    return this.service.replay(id, deliveryId);
  }
}
