import { STATUS_CODES } from 'node:http';
import { applyDecorators, HttpCode, SetMetadata } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { modelRef } from './api-models.js';

/** Metadata key of the success response schema (`null`: no body). */
export const RESPONSE_SCHEMA = 'ingrain:response-schema';

/**
 * The success response of a handler: sets its status code, documents its body (a model named with
 * `responseModel`) and makes {@link ResponseSerializerInterceptor} parse what the handler returns
 * through `schema` — unknown properties are stripped, so a field the schema does not name (a hash,
 * a sealed key) never leaves the API. Without a schema the response has no body (e.g. 204).
 */
export function ZodResponse(
  status: number,
  schema?: z.ZodType,
  description?: string,
  headers?: Record<string, { description: string; schema: { type: 'string'; enum?: string[] } }>,
): MethodDecorator {
  const content =
    schema === undefined ? {} : { content: { 'application/json': { schema: modelRef(schema, 'response') } } };
  return applyDecorators(
    HttpCode(status),
    ApiResponse({
      status,
      description: description ?? STATUS_CODES[status] ?? 'Success',
      ...content,
      ...(headers === undefined ? {} : { headers }),
    }),
    SetMetadata(RESPONSE_SCHEMA, schema ?? null),
  );
}
