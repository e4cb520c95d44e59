import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../app.module.js';
import { buildOpenApiDocument } from './openapi-document.js';

export { openApiJson } from './openapi-json.js';

/**
 * The OpenAPI document of the whole API without starting anything: Nest's preview mode wires the
 * modules and reads the controllers' metadata but instantiates no provider (no database, HSM or
 * Redis needed).
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config: undefined, infrastructure: undefined }),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
