import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { ApiConfig } from '../config/api-config.js';
import type { WebhooksConfig } from '../config/webhooks-config.js';
import { type ClaimedDelivery, WebhookDeliveryRepository } from '../repositories/webhook-deliveries.js';
import { retryDelayMs } from './backoff.js';
import { webhookHeaders } from './signature.js';
import { WebhookSender } from './webhook-sender.js';

/** How much longer than an attempt's timeout its lease lasts (time to record the outcome). */
export const LEASE_MARGIN_MS = 5_000;
/**
 * How long a shutdown waits for attempts in flight. One still running then is abandoned unrecorded:
 * its lease expires and it is sent again (at least once), rather than holding the shutdown up for a
 * slow receiver.
 */
const SHUTDOWN_GRACE_MS = 2_000;

/**
 * The delivery worker of the API process: claims due deliveries (leased, FOR UPDATE SKIP LOCKED,
 * so any number of API processes share the queue), signs each per Standard Webhooks at the time of
 * the attempt, POSTs it, and records the attempt: delivered, retried after an exponential backoff
 * with jitter, or dead-lettered after the last attempt. A process killed mid-delivery leaves a
 * lease that expires: the delivery is sent again (at least once), with the same event id.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #logger = new Logger(WebhookDispatcher.name);
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    @Optional() @Inject(ApiConfig) private readonly config: ApiConfig | undefined,
    @Inject(WebhookDeliveryRepository) private readonly deliveries: WebhookDeliveryRepository,
    @Inject(WebhookSender) private readonly sender: WebhookSender,
  ) {}

  onApplicationBootstrap(): void {
    const settings = this.config?.webhooks;
    if (settings === undefined) return; // the OpenAPI preview: no database
    this.#loop = this.#run(settings);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)));
    await Promise.race([this.#loop, grace]);
    clearTimeout(timer);
  }

  /** One pass: claims what is due and delivers it; returns how many were claimed. */
  async deliverDue(settings: WebhooksConfig): Promise<number> {
    const claimed = await this.deliveries.claimDue(settings.batchSize, settings.timeoutMs + LEASE_MARGIN_MS);
    await Promise.all(claimed.map((claim) => this.#deliver(claim, settings)));
    return claimed.length;
  }

  async #run(settings: WebhooksConfig): Promise<void> {
    while (!this.#stopped) {
      let claimed = 0;
      try {
        claimed = await this.deliverDue(settings);
      } catch (error) {
        if (this.#stopped) return;
        this.#logger.warn(`webhook delivery pass failed (${codeOf(error)}); trying again`);
      }
      if (claimed < settings.batchSize) await this.#sleep(settings.pollIntervalMs);
    }
  }

  async #deliver(claim: ClaimedDelivery, settings: WebhooksConfig): Promise<void> {
    const startedAt = new Date();
    const headers = webhookHeaders(claim.secret, claim.eventId, Math.floor(startedAt.getTime() / 1000), claim.body);
    const result = await this.sender.post(claim.url, headers, claim.body, settings.timeoutMs);
    const deadLetter = !result.delivered && claim.attempt >= settings.maxAttempts;
    const retryMs = retryDelayMs(claim.attempt, { baseMs: settings.backoffBaseMs, maxMs: settings.backoffMaxMs });
    if (!result.delivered) {
      const next = deadLetter ? 'dead-lettered' : `retry in ${retryMs} ms`;
      this.#logger.warn(
        `webhook delivery ${claim.id} (event ${claim.eventId}) attempt ${claim.attempt} failed: ${result.errorClass ?? 'unknown'}${result.responseStatus === null ? '' : ` ${result.responseStatus}`}; ${next}`,
      );
    }
    try {
      await this.deliveries.recordAttempt(
        claim,
        {
          startedAt,
          durationMs: result.durationMs,
          delivered: result.delivered,
          responseStatus: result.responseStatus,
          errorClass: result.errorClass,
        },
        { retryDelayMs: retryMs, deadLetter },
      );
    } catch (error) {
      // The lease expires and the delivery is sent again: at least once, never lost.
      this.#logger.warn(`webhook delivery ${claim.id}: outcome not recorded (${codeOf(error)})`);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'FAILED';
}
