import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiParam, ApiQuery } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { inlineJsonSchema, modelRef, type JsonSchema } from './api-models.js';
import { ApiProblem } from './api-problems.decorator.js';
import { formatFieldPath } from './field-path.js';
import { unstorableValueIssues } from './unstorable-values.js';
import { RequestValidationError, type RequestLocation } from './request-validation.error.js';

interface ParamSpec {
  readonly location: RequestLocation;
  /** Path parameter or header name; undefined for the whole body or query. */
  readonly name: string | undefined;
  readonly schema: z.ZodType;
}

function rawValue(request: FastifyRequest, { location, name }: ParamSpec): unknown {
  switch (location) {
    case 'body':
      return request.body;
    case 'query':
      return request.query ?? {};
    case 'path':
      return (request.params as Record<string, string | undefined>)[name ?? ''];
    case 'header':
      return request.headers[(name ?? '').toLowerCase()];
  }
}

function parse(spec: ParamSpec, request: FastifyRequest): unknown {
  const raw = rawValue(request, spec);
  const unstorable = unstorableValueIssues(
    raw,
    formatFieldPath(spec.name === undefined ? [] : [spec.name], spec.location),
  );
  if (unstorable.length > 0) throw new RequestValidationError(spec.location, unstorable);
  const result = spec.schema.safeParse(raw);
  if (result.success) return result.data;
  throw new RequestValidationError(spec.location, result.error, spec.name);
}

const Validated = createParamDecorator((spec: ParamSpec, context: ExecutionContext) =>
  parse(spec, context.switchToHttp().getRequest<FastifyRequest>()),
);

const INVALID_REQUEST = ApiProblem('VALIDATION_FAILED: an input is invalid (errors names each field)');

type MethodDecorators = ReadonlyArray<MethodDecorator | (MethodDecorator & ClassDecorator)>;

/** Validates one handler parameter and documents it on the handler, in one decorator. */
function validatedParam(spec: ParamSpec, docs: MethodDecorators): ParameterDecorator {
  return (target, methodName, index) => {
    Validated(spec)(target, methodName, index);
    if (methodName === undefined) throw new TypeError('zod parameter decorators apply to handler parameters');
    const descriptor = Object.getOwnPropertyDescriptor(target, methodName);
    if (descriptor === undefined) throw new TypeError(`no method ${String(methodName)}`);
    for (const decorate of [...docs, INVALID_REQUEST]) decorate(target, methodName, descriptor);
  };
}

/**
 * The request body, parsed by `schema` (a model named with `requestModel`): the handler receives
 * the parsed value; a mismatch answers 400 VALIDATION_FAILED naming each field (`body.name`).
 */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  return validatedParam({ location: 'body', name: undefined, schema }, [
    ApiBody({ required: true, schema: modelRef(schema, 'request') }),
  ]);
}

/** One path parameter (`/v1/tokens/:id`), parsed by `schema`. */
export function ZodParam(name: string, schema: z.ZodType): ParameterDecorator {
  return validatedParam({ location: 'path', name, schema }, [
    ApiParam({ name, required: true, schema: inlineJsonSchema(schema) }),
  ]);
}

/** The whole query string, parsed by an object schema; each property is documented as a query parameter. */
export function ZodQuery(schema: z.ZodObject): ParameterDecorator {
  const json = inlineJsonSchema(schema);
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return validatedParam(
    { location: 'query', name: undefined, schema },
    Object.entries(properties).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), schema: property, description: description(property) }),
    ),
  );
}

/** One request header (e.g. `Idempotency-Key`), parsed by `schema`; optional when `schema` accepts undefined. */
export function ZodHeader(name: string, schema: z.ZodType): ParameterDecorator {
  const json = inlineJsonSchema(schema);
  const required = !schema.safeParse(undefined).success;
  return validatedParam({ location: 'header', name: name.toLowerCase(), schema }, [
    ApiHeader({ name, required, schema: json, description: description(json) }),
  ]);
}

function description(schema: JsonSchema): string | undefined {
  return typeof schema['description'] === 'string' ? schema['description'] : undefined;
}
