import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header carrying the correlation id, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id is kept only if it is short and plain: it ends up in log lines and responses.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's `X-Request-Id` when acceptable, else a new UUID: Fastify's `genReqId`. */
export function correlationIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUUID();
}
