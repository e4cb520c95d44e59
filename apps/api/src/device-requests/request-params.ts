// The Idempotency-Key header: its failure carries the domain's own code (docs/api-domain.md, "Error
// codes"), IDEMPOTENCY_KEY_INVALID, rather than the generic VALIDATION_FAILED of @ZodHeader. It is
// still documented in the OpenAPI document like the zod decorators document theirs.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { inlineJsonSchema } from '../http/api-models.js';
import { documented } from '../http/documented-param.js';
import { idempotencyKeySchema, parseIdempotencyKey } from './idempotency.js';

const ParsedIdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  parseIdempotencyKey(context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key']),
);

/**
 * The `Idempotency-Key` header, checked by the domain's parseIdempotencyKey: missing or malformed
 * answers IDEMPOTENCY_KEY_INVALID.
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

/** The response header of an answer that replays an earlier request with the same Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Its OpenAPI documentation (a ZodResponse header). */
export const IDEMPOTENT_REPLAYED_RESPONSE_HEADER = {
  [IDEMPOTENT_REPLAYED_HEADER]: {
    description:
      '`true` when this answer replays an earlier request with the same Idempotency-Key and body (nothing new was made); absent otherwise',
    schema: { type: 'string' as const, enum: ['true'] },
  },
};

/** Sets `Idempotent-Replayed: true` on the reply. */
export function markReplayed(reply: FastifyReply): void {
  void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
}
