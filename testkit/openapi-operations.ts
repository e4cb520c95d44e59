// The operations of the committed OpenAPI document, as the adversarial suites read them (the
// authorization matrix, the fuzzer): method, path template, the roles the ROLE_FORBIDDEN response
// names, parameters and request body with every `$ref` resolved, and each response's schema.
import { readFileSync } from 'node:fs';
import type { Role } from '../apps/api/src/auth/roles.js';
import { OPENAPI_JSON_PATH } from '../apps/api/src/openapi/paths.js';

/** A JSON Schema as the document writes it (draft 2020-12 keywords; `$ref`s resolved by this module). */
export type JsonSchema = { readonly [keyword: string]: unknown };

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];
export const ALL_ROLES: readonly Role[] = ['admin', 'mes', 'station', 'auditor'];

export interface DocumentedParameter {
  readonly in: 'path' | 'query' | 'header';
  readonly name: string;
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface DocumentedResponse {
  readonly description: string;
  /** The schema of its JSON body (application/json or application/problem+json), when it has one. */
  readonly schema: JsonSchema | undefined;
}

export interface OpenApiOperation {
  readonly method: Method;
  /** The path template of the document (`/v1/devices/{id}/claim`). */
  readonly path: string;
  readonly operationId: string;
  /** The roles the ROLE_FORBIDDEN response names; undefined for a public operation (no `security`). */
  readonly allowed: readonly Role[] | undefined;
  readonly parameters: readonly DocumentedParameter[];
  /** The schema of the JSON request body, if the operation takes one. */
  readonly requestBody: JsonSchema | undefined;
  /** By status code ("200", "404", …). */
  readonly responses: Readonly<Record<string, DocumentedResponse>>;
}

interface RawOperation {
  readonly operationId: string;
  readonly security?: readonly Record<string, readonly string[]>[];
  readonly parameters?: readonly { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  readonly requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  readonly responses: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}

interface RawDocument {
  readonly paths: Record<string, Partial<Record<Method, RawOperation>>>;
  readonly components?: { readonly schemas?: Record<string, JsonSchema> };
}

export const ROLE_FORBIDDEN_PREFIX = 'ROLE_FORBIDDEN: allowed roles: ';
const REF_PREFIX = '#/components/schemas/';

/** Replaces every `$ref` to a component schema by the schema itself (the document has no cycles). */
export function dereference(schema: unknown, components: Record<string, JsonSchema>, depth = 0): unknown {
  if (depth > 64) throw new Error('openapi: $ref nesting deeper than 64 (a cycle?)');
  if (Array.isArray(schema)) return schema.map((item) => dereference(item, components, depth));
  if (typeof schema !== 'object' || schema === null) return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const target = ref.startsWith(REF_PREFIX) ? components[ref.slice(REF_PREFIX.length)] : undefined;
    if (target === undefined) throw new Error(`openapi: unresolved $ref ${ref}`);
    return dereference(target, components, depth + 1);
  }
  return Object.fromEntries(
    Object.entries(schema).map(([keyword, value]) => [keyword, dereference(value, components, depth)]),
  );
}

function allowedRoles(operation: RawOperation, where: string): Role[] | undefined {
  if (operation.security === undefined || operation.security.length === 0) return undefined;
  const forbidden = operation.responses['403']?.description ?? '';
  if (!forbidden.startsWith(ROLE_FORBIDDEN_PREFIX))
    throw new Error(`${where}: a secured operation documents its roles`);
  const roles = forbidden
    .slice(ROLE_FORBIDDEN_PREFIX.length)
    .split(',')
    .map((role) => role.trim()) as Role[];
  for (const role of roles) if (!ALL_ROLES.includes(role)) throw new Error(`${where}: unknown role ${role}`);
  return roles;
}

function jsonSchemaOf(content: Record<string, { schema?: JsonSchema }> | undefined): JsonSchema | undefined {
  if (content === undefined) return undefined;
  const entry = content['application/json'] ?? content['application/problem+json'];
  return entry?.schema;
}

/** Every operation (path × method) of the document, in document order. */
export function readOpenApiOperations(path: string = OPENAPI_JSON_PATH): OpenApiOperation[] {
  const document = JSON.parse(readFileSync(path, 'utf8')) as RawDocument;
  const components = document.components?.schemas ?? {};
  const resolve = (schema: JsonSchema | undefined) =>
    schema === undefined ? undefined : (dereference(schema, components) as JsonSchema);
  const operations: OpenApiOperation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const where = `${method.toUpperCase()} ${template}`;
      operations.push({
        method,
        path: template,
        operationId: operation.operationId,
        allowed: allowedRoles(operation, where),
        parameters: (operation.parameters ?? []).map((parameter) => ({
          in: parameter.in as DocumentedParameter['in'],
          name: parameter.name,
          required: parameter.required ?? false,
          schema: resolve(parameter.schema) ?? {},
        })),
        requestBody: resolve(jsonSchemaOf(operation.requestBody?.content)),
        responses: Object.fromEntries(
          Object.entries(operation.responses).map(([status, response]) => [
            status,
            { description: response.description ?? '', schema: resolve(jsonSchemaOf(response.content)) },
          ]),
        ),
      });
    }
  }
  return operations;
}
