import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/metrics.js';
import { REQUEST_ID_HEADER } from './correlation-id.js';

/** Route label of requests that matched no route: keeps the metric's label set bounded. */
const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Every response echoes the correlation id (`X-Request-Id`), is counted in the latency histogram
 * by route template and status, and is logged as one line — method, route, status, duration,
 * client address; never headers, query secrets or bodies.
 */
export function installRequestHooks(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    metrics.httpRequestDuration.observe({ method: request.method, route, status: String(status) }, durationMs / 1000);
    const entry = {
      method: request.method,
      route,
      status,
      durationMs: Math.round(durationMs * 10) / 10,
      clientAddress: request.ip,
    };
    if (status >= 500) request.log.error(entry, 'request completed');
    else request.log.info(entry, 'request completed');
    done();
  });
}
