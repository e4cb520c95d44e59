// Two request inputs whose failures carry the domain's own codes (docs/api-domain.md, "Error
// codes") rather than the generic VALIDATION_FAILED of @ZodHeader/@ZodBody: the Idempotency-Key
// header (IDEMPOTENCY_KEY_INVALID) and the station report body (STATION_REPORT_INVALID). Each is
// still documented in the OpenAPI document like the zod decorators document theirs.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBody, ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { idempotencyKeySchema, parseIdempotencyKey } from '../domain/idempotency.js';
import { inlineJsonSchema, modelRef } from '../http/api-models.js';
import { StationReportModel } from './claims.schemas.js';

const RawBody = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => {
  return context.switchToHttp().getRequest<FastifyRequest>().body;
});

const ParsedIdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  parseIdempotencyKey(context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key']),
);

function documented(parameter: ParameterDecorator, docs: MethodDecorator): ParameterDecorator {
  return (target, methodName, index) => {
    parameter(target, methodName, index);
    if (methodName === undefined) throw new TypeError('request parameter decorators apply to handler parameters');
    const descriptor = Object.getOwnPropertyDescriptor(target, methodName);
    if (descriptor === undefined) throw new TypeError(`no method ${String(methodName)}`);
    docs(target, methodName, descriptor);
  };
}

/**
 * The `Idempotency-Key` header, checked by the domain's parseIdempotencyKey: missing or malformed
 * answers 400 IDEMPOTENCY_KEY_INVALID.
 */
export function IdempotencyKey(): ParameterDecorator {
  return documented(
    ParsedIdempotencyKey(),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      schema: inlineJsonSchema(idempotencyKeySchema),
      description:
        'A fresh key per new request (e.g. a UUID), 1-255 printable ASCII characters without spaces. ' +
        'Resending the same body with the same key returns the device the first request made.',
    }),
  );
}

/**
 * The raw body of a station report, documented as the `StationReport` model; the service parses it
 * with parseStationReport (400 STATION_REPORT_INVALID naming each field).
 */
export function StationReportBody(): ParameterDecorator {
  return documented(RawBody(), ApiBody({ required: true, schema: modelRef(StationReportModel, 'request') }));
}
