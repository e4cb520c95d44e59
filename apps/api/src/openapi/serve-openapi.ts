import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { openApiJson } from './openapi-json.js';
import { buildOpenApiDocument } from './openapi-document.js';

/** Where the API serves its OpenAPI document (public: it names routes and models, never a secret). */
export const OPENAPI_ROUTE = '/openapi.json';

/**
 * `GET /openapi.json`: the document of the running app, in exactly the committed form of
 * openapi/openapi.json (sorted keys, two-space JSON, final newline), built once on the first
 * request. Unauthenticated, so an MES team can generate a client before it holds a token; served
 * outside the document, like Swagger UI at `/docs`.
 */
export function serveOpenApiJson(app: INestApplication): void {
  let body: string | undefined;
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.get(OPENAPI_ROUTE, async (_request, reply) => {
    body ??= openApiJson(buildOpenApiDocument(app));
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(body);
  });
}
