import type { OpenAPIObject } from '@nestjs/swagger';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

/**
 * libs/api-client/src/schema.ts for a document: exactly what
 * `openapi-typescript openapi/openapi.json -o libs/api-client/src/schema.ts` writes (same defaults).
 * Dev tooling: openapi-typescript is a devDependency, so the running API never imports this file.
 */
export async function renderClientSchema(document: OpenAPIObject): Promise<string> {
  return `${COMMENT_HEADER}${astToString(await openapiTS(document as unknown as OpenAPI3, { silent: true }))}`;
}
