import { Injectable } from '@nestjs/common';

/** What one POST to a receiver came to. The error class names a kind of failure, never a URL or a secret. */
export interface SendResult {
  readonly delivered: boolean;
  readonly responseStatus: number | null;
  /** null when delivered; `timeout`, `connection`, `http-3xx`, `http-4xx`, `http-5xx`, `http-other`. */
  readonly errorClass: string | null;
  readonly durationMs: number;
}

/** The HTTP status class of a non-2xx answer (redirects are not followed: a receiver answers itself). */
export function statusErrorClass(status: number): string | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 600) return `http-${Math.floor(status / 100)}xx`;
  return 'http-other';
}

/**
 * The adapter that POSTs a signed body to a receiver (global fetch): a 2xx is a delivery, anything
 * else — another status, a timeout, a refused or reset connection — a failed attempt. Never throws.
 */
@Injectable()
export class WebhookSender {
  async post(
    url: string,
    headers: Readonly<Record<string, string>>,
    body: string,
    timeoutMs: number,
  ): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'ingrain-webhooks/1', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      const errorClass = statusErrorClass(response.status);
      return { delivered: errorClass === null, responseStatus: response.status, errorClass, durationMs: elapsed() };
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name;
      const errorClass = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'connection';
      return { delivered: false, responseStatus: null, errorClass, durationMs: elapsed() };
    }
  }
}
