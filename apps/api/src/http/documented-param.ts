import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The request body as received, unparsed (a handler that parses it itself). */
export const RawBody = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => {
  return context.switchToHttp().getRequest<FastifyRequest>().body;
});

/** A parameter decorator that also documents its handler in the OpenAPI document (`docs`). */
export function documented(parameter: ParameterDecorator, docs: MethodDecorator): ParameterDecorator {
  return (target, methodName, index) => {
    parameter(target, methodName, index);
    if (methodName === undefined) throw new TypeError('request parameter decorators apply to handler parameters');
    const descriptor = Object.getOwnPropertyDescriptor(target, methodName);
    if (descriptor === undefined) throw new TypeError(`no method ${String(methodName)}`);
    docs(target, methodName, descriptor);
  };
}
