import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import type { z } from 'zod';
import { formatFieldPath } from './field-path.js';
import { RESPONSE_SCHEMA } from './zod-response.decorator.js';

/** A handler returned something its declared response schema rejects: a bug, answered as 500. */
export class ResponseContractError extends Error {
  readonly code = 'RESPONSE_CONTRACT_VIOLATED';

  constructor(route: string, error: z.ZodError) {
    const fields = error.issues.map((issue) => `${formatFieldPath(issue.path) || '(root)'}: ${issue.message}`);
    super(`response of ${route} does not match its schema: ${fields.join('; ')}`, { cause: error });
    this.name = new.target.name;
  }
}

/** Parses each handler's result through the schema of its `@ZodResponse` (global interceptor). */
@Injectable()
export class ResponseSerializerInterceptor implements NestInterceptor {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const schema = this.reflector.get<z.ZodType | null | undefined>(RESPONSE_SCHEMA, context.getHandler());
    if (schema === undefined) return next.handle();
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    return next.handle().pipe(
      map((value: unknown) => {
        if (schema === null) return undefined;
        const result = schema.safeParse(value);
        if (!result.success) throw new ResponseContractError(route, result.error);
        return result.data;
      }),
    );
  }
}
