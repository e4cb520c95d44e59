import { z } from 'zod';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) as produced by `z.toJSONSchema`. */
export type JsonSchema = Record<string, unknown>;

type Direction = 'request' | 'response';
type ModelMeta = { id: string };

// Request models are documented as what a client may send (zod's input side: defaults optional),
// response models as what the API returns (the output side).
const registries: Record<Direction, z.core.$ZodRegistry<ModelMeta>> = {
  request: z.registry<ModelMeta>(),
  response: z.registry<ModelMeta>(),
};
const names = new Map<string, z.ZodType>();

function register<S extends z.ZodType>(name: string, schema: S, directions: readonly Direction[]): S {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new TypeError(`model name must be PascalCase: ${name}`);
  const existing = names.get(name);
  if (existing !== undefined && existing !== schema) throw new TypeError(`model name ${name} is already taken`);
  names.set(name, schema);
  for (const direction of directions) {
    if (!registries[direction].has(schema)) registries[direction].add(schema, { id: name });
  }
  return schema;
}

/**
 * Names a request body schema: validated by `@ZodBody`, documented once as
 * `#/components/schemas/<name>` (and a named type in the generated client).
 */
export function requestModel<S extends z.ZodType>(name: string, schema: S): S {
  return register(name, schema, ['request']);
}

/** Names a response schema, used by `@ZodResponse` (documented and enforced on the way out). */
export function responseModel<S extends z.ZodType>(name: string, schema: S): S {
  return register(name, schema, ['response']);
}

/** Names a schema used in requests and responses alike (enums, ids); must document the same both ways. */
export function sharedModel<S extends z.ZodType>(name: string, schema: S): S {
  return register(name, schema, ['request', 'response']);
}

/** The component name of a model registered for `direction`, if any. */
export function modelName(schema: z.ZodType, direction: Direction): string | undefined {
  return registries[direction].get(schema)?.id;
}

/** `{ $ref }` to a registered model; throws (at decoration time) for an unnamed schema. */
export function modelRef(schema: z.ZodType, direction: Direction): { $ref: string } {
  const name = modelName(schema, direction);
  if (name === undefined) {
    const how = direction === 'request' ? 'requestModel' : 'responseModel';
    throw new TypeError(`a ${direction} schema must be named with ${how}('Name', schema) or sharedModel()`);
  }
  return { $ref: `#/components/schemas/${name}` };
}

const uri = (id: string) => `#/components/schemas/${id}`;

// zod spells out its regular expression for these formats; the format name says the same, readably.
const SELF_DESCRIBING_FORMATS = new Set(['uuid', 'date-time', 'date', 'email']);

function withoutFormatPatterns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutFormatPatterns);
  if (value === null || typeof value !== 'object') return value;
  const record = value as JsonSchema;
  const dropPattern = typeof record['format'] === 'string' && SELF_DESCRIBING_FORMATS.has(record['format']);
  return Object.fromEntries(
    Object.entries(record)
      .filter(([key]) => !(dropPattern && key === 'pattern'))
      .map(([key, child]) => [key, withoutFormatPatterns(child)]),
  );
}

function stripDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return withoutFormatPatterns(rest) as JsonSchema;
}

/** JSON Schema of an unnamed schema (a path, query or header parameter), inlined. */
export function inlineJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  return stripDialect(z.toJSONSchema(schema, { target: 'draft-2020-12', io }));
}

/**
 * Every named model as OpenAPI `components.schemas`, cross-referenced by `$ref`.
 *
 * @throws TypeError when a shared model documents differently as request and response, or a
 *   schema cannot be expressed in JSON Schema (a transform in a response model).
 */
export function componentSchemas(): Record<string, JsonSchema> {
  const result: Record<string, JsonSchema> = {};
  for (const direction of ['request', 'response'] as const) {
    const io = direction === 'request' ? 'input' : 'output';
    const { schemas } = z.toJSONSchema(registries[direction], { target: 'draft-2020-12', io, uri });
    for (const [name, schema] of Object.entries(schemas)) {
      const documented = stripDialect(schema);
      const previous = result[name];
      if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(documented)) {
        throw new TypeError(`shared model ${name} documents differently as request and response`);
      }
      result[name] = documented;
    }
  }
  return result;
}
