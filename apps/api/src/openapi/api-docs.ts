import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi-document.js';
import { serveOpenApiJson } from './serve-openapi.js';

/**
 * Interactive API docs at `/docs`, the document itself at `/openapi.json` and `/docs/openapi.json`
 * (all unauthenticated).
 */
export function serveApiDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    raw: ['json'],
    customSiteTitle: 'Ingrain API',
  });
  serveOpenApiJson(app);
}
