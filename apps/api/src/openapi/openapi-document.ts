import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME } from '../auth/auth.decorators.js';
import { componentSchemas } from '../http/api-models.js';
import { REQUEST_EXAMPLES } from './examples.js';
import { sortDocument } from './sort-document.js';

export const API_TITLE = 'Ingrain API';
export const API_VERSION = '1';

function operationId(controllerKey: string, methodKey: string): string {
  const resource = controllerKey.replace(/Controller$/, '');
  return `${resource.charAt(0).toLowerCase()}${resource.slice(1)}${methodKey.charAt(0).toUpperCase()}${methodKey.slice(1)}`;
}

/** Names every `$ref` target reachable from `value`. */
function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') into.add(child.replace('#/components/schemas/', ''));
      else collectRefs(child, into);
    }
  }
}

/** The registered zod models that the paths use, directly or through other models. */
function usedSchemas(paths: unknown): Record<string, unknown> {
  const all = componentSchemas();
  const used = new Set<string>();
  collectRefs(paths, used);
  for (let grew = true; grew;) {
    const before = used.size;
    for (const name of [...used]) collectRefs(all[name], used);
    grew = used.size > before;
  }
  return Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)));
}

/**
 * The OpenAPI 3.1 document of an app (initialized or built in preview mode): routes from the
 * controllers, schemas from the zod models, every object's keys sorted so the committed
 * openapi/openapi.json diffs cleanly.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(API_TITLE)
    .setDescription(
      'Secure key provisioning for electronics manufacturing. Errors are RFC 9457 problem details ' +
        '(application/problem+json); docs/api.md describes roles, the device state machine and guarantees.',
    )
    .setVersion(API_VERSION)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token: ingr_…' }, BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: operationId,
    autoTagControllers: false,
  });
  document.components = { ...document.components, schemas: usedSchemas(document.paths) as never };
  addRequestExamples(document);
  return sortDocument(document);
}

/**
 * Puts each request example (examples.ts) on the bodies of its model, where Swagger UI's "Try it
 * out" takes it from: the example then works as sent, instead of one made up from the schema.
 */
function addRequestExamples(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, unknown>)) {
      const body = (operation as { requestBody?: { content?: Record<string, Record<string, unknown>> } }).requestBody;
      const media = body?.content?.['application/json'];
      const ref = (media?.['schema'] as { $ref?: string } | undefined)?.$ref;
      const name = ref?.replace('#/components/schemas/', '');
      if (media !== undefined && name !== undefined && Object.hasOwn(REQUEST_EXAMPLES, name)) {
        media['example'] = REQUEST_EXAMPLES[name as keyof typeof REQUEST_EXAMPLES];
      }
    }
  }
}
