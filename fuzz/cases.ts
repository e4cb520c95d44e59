// The requests: one operation of the document at a time, a credential (mostly a role the operation
// allows, so the request reaches validation), real or malformed path ids, query values, headers and
// a body from the operation's schemas with one thing wrong. Generation never depends on answers:
// the same seed gives the same requests.
import type { JsonSchema, OpenApiOperation } from '../testkit/openapi-operations.js';
import { linkErrorReport, successReport } from '../testkit/station-reports.js';
import { hostileLayoutSource, validLayoutYaml } from './layouts.js';
import { deepNest, oddKey, oddString, oddText, wrongTypeValue } from './odd-values.js';
import type { Prng } from './prng.js';
import { jsonBytes, RawJson } from './raw-json.js';
import { rawRequest } from './raw-http.js';
import { invalidValue, propertiesOf, requiredOf, validValue, type Hints } from './schema-values.js';
import { ROLE_CREDENTIAL, type Credential, type World, type WorldDevice } from './world.js';

export interface FuzzRequest {
  readonly index: number;
  /** The operation (`POST /v1/devices`), or `(unrouted)`. */
  readonly operation: string;
  readonly operationId: string | undefined;
  /** What was done to it (`body:field inputs.serial`, `path:odd`, …). */
  readonly kind: string;
  readonly credential: Credential;
  readonly method: string;
  /** Path and query, percent-encoded as sent. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
  /** Set for a request written on a socket as is (fuzz/raw-http.ts): method, target and headers say nothing. */
  readonly raw?: string;
}

/** Idempotency keys already sent with a body: a later request reuses one with another body. */
interface KeyMemory {
  readonly keys: string[];
}

export type BodyKind = 'valid' | 'field' | 'missing' | 'extra' | 'root' | 'syntax' | 'content-type' | 'layout';

const PATH_ODDITIES = [
  '%00',
  'a%00b',
  '%ZZ',
  '%C0%AF',
  '%ED%A0%80',
  '%EF%BF%BF',
  '%E2%80%AE',
  '..',
  '%2e%2e',
  '%2F',
  '-1',
  '0',
  '1e3',
  '0x10',
  '9007199254740993',
  '99999999999999999999999',
  '1.5',
  '%20',
  'null',
  'undefined',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '{id}',
  'a'.repeat(5_000),
  'a'.repeat(100),
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/xml',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json;;;',
  'application/json, text/plain',
  '*/*',
  'application/problem+json',
];

const enc = encodeURIComponent;

/** Percent-encodes `text`, falling back to a byte-wise form for lone surrogates. */
function encodeText(text: string): string {
  try {
    return enc(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  }
}

export class RequestFactory {
  private readonly memory: KeyMemory = { keys: [] };
  private layoutVersion = 2;

  constructor(
    private readonly operations: readonly OpenApiOperation[],
    private readonly world: World,
    private readonly prng: Prng,
  ) {}

  /** The `index`-th request of the run. */
  next(index: number): FuzzRequest {
    const prng = this.prng;
    if (prng.chance(0.02)) return this.unrouted(index);
    if (prng.chance(0.02)) return this.rawRequest(index);
    const operation = prng.weighted(this.operations.map((o) => [o, o.method === 'get' ? 2 : 3] as const));
    const device = prng.pick(this.world.devices);
    const credential = this.credentialFor(operation);
    const kinds: string[] = [];
    const path = this.pathOf(operation, device, kinds);
    const query = this.queryOf(operation, kinds);
    const headers: Record<string, string> = {};
    const token = this.world.tokens[credential];
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    let body: Buffer | undefined;
    if (operation.requestBody !== undefined) {
      const built = this.bodyOf(operation, device, kinds);
      body = built.bytes;
      headers['content-type'] = built.contentType;
    } else if (prng.chance(0.03)) {
      body = jsonBytes({ unexpected: oddString(prng) });
      headers['content-type'] = 'application/json';
      kinds.push('body:unexpected');
    }
    this.headersOf(operation, headers, body, kinds);
    return {
      index,
      operation: `${operation.method.toUpperCase()} ${operation.path}`,
      operationId: operation.operationId,
      kind: kinds.length === 0 ? 'valid' : kinds.join(' '),
      credential,
      method: operation.method.toUpperCase(),
      target: query === '' ? path : `${path}?${query}`,
      headers,
      body,
    };
  }

  private credentialFor(operation: OpenApiOperation): Credential {
    const prng = this.prng;
    const allowed = operation.allowed;
    if (allowed === undefined || prng.chance(0.12)) {
      return prng.pick(['none', 'malformed', 'unknown', 'admin', 'mes', 'auditor', 'station', 'stationOther']);
    }
    const credential = ROLE_CREDENTIAL[prng.pick(allowed)];
    return credential === 'station' && prng.chance(0.1) ? 'stationOther' : credential;
  }

  private realPathValue(operation: OpenApiOperation, name: string, device: WorldDevice): string {
    const world = this.world;
    const resource = operation.path.split('/')[2];
    if (name === 'leafIndex') return String(this.prng.chance(0.8) ? world.leafIndex : this.prng.int(0, 50));
    if (name === 'chipUid') return device.claim?.chipUid ?? 'a1b2c3d4e5f60718293a4b5c';
    if (name === 'version') return String(this.prng.chance(0.8) ? world.catalog.layoutVersion : this.prng.int(1, 20));
    if (resource === 'devices') return device.id;
    if (resource === 'products') return this.prng.chance(0.8) ? world.catalog.productId : world.otherLine.productId;
    if (resource === 'tokens') return this.prng.pick(world.spareTokenIds);
    if (resource === 'work-orders') return this.prng.pick(world.spareWorkOrderIds);
    return validValue({ type: 'string', format: 'uuid' }, this.prng) as string;
  }

  private pathOf(operation: OpenApiOperation, device: WorldDevice, kinds: string[]): string {
    const prng = this.prng;
    return operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
      if (!prng.chance(0.2)) return enc(this.realPathValue(operation, name, device));
      kinds.push(`path:${name}`);
      return prng.chance(0.5) ? prng.pick(PATH_ODDITIES) : encodeText(oddText(prng));
    });
  }

  private queryOf(operation: OpenApiOperation, kinds: string[]): string {
    const prng = this.prng;
    const parts: string[] = [];
    const hints = this.hints();
    for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
      if (!parameter.required && !prng.chance(0.4)) continue;
      if (prng.chance(0.25)) {
        kinds.push(`query:${parameter.name}`);
        const value = invalidValue(parameter.schema, prng);
        const text = typeof value === 'string' ? value : value instanceof RawJson ? 'x' : JSON.stringify(value);
        parts.push(`${parameter.name}=${encodeText(text ?? '')}`);
        if (prng.chance(0.2)) parts.push(`${parameter.name}=${encodeText(oddText(prng))}`);
      } else {
        parts.push(`${parameter.name}=${enc(String(validValue(parameter.schema, prng, hints, parameter.name)))}`);
      }
    }
    if (prng.chance(0.05)) {
      kinds.push('query:extra');
      parts.push(`${encodeText(oddKey(prng))}=${encodeText(oddText(prng))}`);
    }
    if (prng.chance(0.02)) {
      kinds.push('query:raw');
      parts.push(
        prng.pick([
          '%00',
          'a=%ZZ',
          'a[b]=1',
          'a[__proto__][x]=1',
          '__proto__[x]=1',
          'constructor[prototype][x]=1',
          '&&&',
          '=',
          'limit=1&limit=2',
          '%C0%AF=1',
          'a=1&'.repeat(3_000),
          `limit=${'9'.repeat(400)}`,
        ]),
      );
    }
    return parts.join('&');
  }

  private headersOf(
    operation: OpenApiOperation,
    headers: Record<string, string>,
    body: Buffer | undefined,
    kinds: string[],
  ) {
    const prng = this.prng;
    for (const parameter of operation.parameters.filter((p) => p.in === 'header')) {
      const name = parameter.name.toLowerCase();
      const roll = prng.next();
      if (roll < 0.25 && this.memory.keys.length > 0) {
        kinds.push(`header:${name}:reused`);
        headers[name] = prng.pick(this.memory.keys);
      } else if (roll < 0.32) {
        kinds.push(`header:${name}:odd`);
        const odd = prng.pick([
          '',
          ' ',
          'a'.repeat(256),
          'a'.repeat(8_000),
          'é',
          'ÿÿ',
          'a b',
          '\t',
          'k\u0000'.replace('\u0000', ''),
        ]);
        if (odd !== '' || prng.chance(0.5)) headers[name] = odd;
      } else if (roll < 0.36) {
        kinds.push(`header:${name}:missing`);
      } else {
        const key = `fuzz-${this.prng.int(0, 2 ** 30)}`;
        headers[name] = key;
        if (body !== undefined && this.memory.keys.length < 500) this.memory.keys.push(key);
      }
    }
    if (prng.chance(0.03)) {
      kinds.push('header:authorization');
      headers['authorization'] = prng.pick([
        'Bearer',
        'Bearer ',
        'Basic YTpi',
        `Bearer ${'a'.repeat(5_000)}`,
        'bearer ingr_',
        'Bearer ingr_%00',
        `Bearer ${this.world.tokens.admin ?? ''} extra`,
        `Bearer  ${this.world.tokens.admin ?? ''}`,
      ]);
    }
    if (prng.chance(0.02)) {
      kinds.push('header:request-id');
      headers['x-request-id'] = prng.pick(['', 'a'.repeat(3_000), '../x', 'ÿ', '{}']);
    }
  }

  private hints(): Hints {
    const world = this.world;
    return {
      productId: [world.catalog.productId, world.otherLine.productId],
      workOrderId: [world.catalog.workOrderId],
      line: [world.catalog.line],
      stationId: [world.catalog.stationId, world.otherLine.stationId],
      chipUid: world.devices.flatMap((device) => (device.claim === undefined ? [] : [device.claim.chipUid])),
      inputs: [world.catalog.inputs],
      values: [{ ...world.catalog.inputs, serial: 'SN-FUZZ-1' }],
      role: ['admin', 'mes', 'station', 'auditor'],
    };
  }

  /** A body that passes validation (as far as the schema says; a few ops need real state). */
  private validBody(operation: OpenApiOperation, device: WorldDevice): unknown {
    const prng = this.prng;
    const schema = operation.requestBody ?? {};
    const world = this.world;
    switch (operation.operationId) {
      case 'devicesCreate':
        return prng.chance(0.7)
          ? { workOrderId: world.catalog.workOrderId, inputs: world.catalog.inputs }
          : { productId: world.catalog.productId, serial: `SN-FUZZ-${prng.int(0, 1e9)}`, inputs: world.catalog.inputs };
      case 'devicesClaim':
        return { chipUid: device.claim?.chipUid ?? validValue(propertiesOf(schema)['chipUid'] ?? {}, prng) };
      case 'devicesResult':
        if (device.claim === undefined) return validValue(schema, prng, this.hints());
        return prng.chance(0.8) ? linkErrorReport(device.claim) : successReport(device.claim);
      case 'layoutsAdd':
        return { source: validLayoutYaml(this.layoutVersion++) };
      default:
        return validValue(schema, prng, this.hints());
    }
  }

  private bodyOf(
    operation: OpenApiOperation,
    device: WorldDevice,
    kinds: string[],
  ): { bytes: Buffer; contentType: string } {
    const prng = this.prng;
    const schema = operation.requestBody ?? {};
    const layoutWeight = operation.operationId === 'layoutsAdd' ? 12 : 0;
    const kind = prng.weighted<BodyKind>([
      ['valid', 3],
      ['field', 6],
      ['missing', 1],
      ['extra', 1],
      ['root', 1],
      ['syntax', 1],
      ['content-type', 1],
      ['layout', layoutWeight],
    ]);
    const value = this.validBody(operation, device);
    const json = 'application/json';
    switch (kind) {
      case 'valid':
        return { bytes: jsonBytes(value), contentType: json };
      case 'field': {
        const places = placesOf(value, schema);
        const place = prng.pick(places);
        kinds.push(`body:field ${place.path.join('.') || '(root)'}`);
        return { bytes: jsonBytes(replaceAt(value, place.path, invalidValue(place.schema, prng))), contentType: json };
      }
      case 'missing': {
        const required = requiredOf(schema);
        const name = required.length === 0 ? undefined : prng.pick(required);
        kinds.push(`body:missing ${name ?? '(none)'}`);
        const copy = { ...(value as Record<string, unknown>) };
        if (name !== undefined) delete copy[name];
        return { bytes: jsonBytes(copy), contentType: json };
      }
      case 'extra': {
        const key = oddKey(prng);
        kinds.push('body:extra');
        const text = jsonBytes(value).toString('utf8');
        const member = `${JSON.stringify(key)}:${jsonBytes(wrongTypeValue(prng)).toString('utf8')}`;
        return {
          bytes: Buffer.from(text.replace(/^\{/, text === '{}' ? `{${member}` : `{${member},`)),
          contentType: json,
        };
      }
      case 'root': {
        kinds.push('body:root');
        const root = prng.pick<() => unknown>([
          () => null,
          () => 1,
          () => 'fuzz',
          () => [],
          () => [value],
          () => true,
          () => deepNest(prng.pick([100, 10_000, 100_000]), prng.pick(['array', 'object'] as const)),
        ])();
        return { bytes: jsonBytes(root), contentType: json };
      }
      case 'syntax':
        kinds.push('body:syntax');
        return { bytes: brokenJson(prng, jsonBytes(value)), contentType: json };
      case 'content-type': {
        const contentType = prng.pick(CONTENT_TYPES);
        kinds.push(`body:content-type ${contentType}`);
        return { bytes: jsonBytes(value), contentType };
      }
      case 'layout': {
        kinds.push('body:layout');
        const source = hostileLayoutSource(prng, this.layoutVersion);
        const format = prng.pick([undefined, 'yaml', 'json', 'toml']);
        return { bytes: jsonBytes(format === undefined ? { source } : { source, format }), contentType: json };
      }
    }
  }

  /** Bytes on a socket that no client would send (bad framing and request lines). */
  private rawRequest(index: number): FuzzRequest {
    const raw = rawRequest(this.prng, this.world.tokens.admin ?? '');
    return {
      index,
      operation: '(raw http)',
      operationId: undefined,
      kind: 'raw',
      credential: 'admin',
      method: raw.slice(0, raw.indexOf(' ')),
      target: raw.slice(raw.indexOf(' ') + 1, raw.indexOf('\r\n')),
      headers: {},
      body: undefined,
      raw,
    };
  }

  /** A request to a path or method the document does not have. */
  private unrouted(index: number): FuzzRequest {
    const prng = this.prng;
    // Half of them: a documented path (real ids) with a method it does not document.
    const documented = prng.pick(this.operations);
    const device = prng.pick(this.world.devices);
    const realPath = documented.path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
      enc(this.realPathValue(documented, name, device)),
    );
    const target = prng.pick([
      realPath,
      realPath,
      realPath,
      realPath,
      realPath,
      realPath,
      realPath,
      realPath,
      realPath,
      realPath,
      '/v1/nope',
      '/v1/devices/%00',
      '/v1//devices',
      '/v1/devices/../tokens',
      '/%ff',
      '/v1/devices?limit=%',
      `/v1/${'a'.repeat(20_000)}`,
      '/v1/products/%C0%AF/layouts',
      '/',
      '/docs/../../etc/passwd',
    ]);
    const method = prng.pick(['GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'OPTIONS', 'HEAD', 'TRACE', 'SEARCH']);
    const credential = prng.pick(['none', 'admin', 'mes'] as const);
    const token = this.world.tokens[credential];
    // The documented method itself, or HEAD of a documented GET (that GET without a body, RFC 9110
    // §9.3.2), is the documented operation and judged as such.
    const asMethod = method === 'HEAD' ? 'get' : method.toLowerCase();
    const same =
      target === realPath
        ? this.operations.find((operation) => operation.path === documented.path && operation.method === asMethod)
        : undefined;
    return {
      index,
      operation: same === undefined ? '(unrouted)' : `${method} ${same.path}`,
      operationId: same?.operationId,
      kind: 'route',
      credential,
      method,
      target,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      body: undefined,
    };
  }
}

interface Place {
  readonly path: (string | number)[];
  readonly schema: JsonSchema;
}

/** Every place in `value` with the schema that describes it (the root included). */
function placesOf(value: unknown, schema: JsonSchema, path: (string | number)[] = []): Place[] {
  const places: Place[] = [{ path, schema }];
  if (typeof value !== 'object' || value === null || Array.isArray(value) || path.length > 4) return places;
  const properties = propertiesOf(schema);
  const additional = (schema['additionalProperties'] as JsonSchema | boolean | undefined) ?? {};
  for (const [key, member] of Object.entries(value)) {
    const memberSchema = properties[key] ?? (typeof additional === 'object' ? additional : {});
    places.push(...placesOf(member, memberSchema, [...path, key]));
  }
  return places;
}

function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = { ...(value as Record<string, unknown>) };
  copy[head] = replaceAt(copy[head], rest, replacement);
  return copy;
}

function brokenJson(prng: Prng, valid: Buffer): Buffer {
  const text = valid.toString('utf8');
  return prng.pick<() => Buffer>([
    () => valid.subarray(0, prng.int(0, Math.max(valid.length - 1, 0))),
    () => Buffer.from(text.replace(/}$/, ',}')),
    () => Buffer.from(text.replace(/"/g, "'")),
    () => Buffer.from(`/* c */${text}`),
    () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]),
    () => Buffer.from('NaN'),
    () => Buffer.from(''),
    () => Buffer.from('   \n'),
    () => Buffer.from(text.replace(/^\{/, '{"a":1,"a":2,')),
    () => Buffer.from('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
    () => Buffer.from('['.repeat(prng.pick([1_000, 100_000]))),
    () => Buffer.from(`{"a":"${'x'.repeat(1_100_000)}"}`),
    () => Buffer.from(text, 'utf16le'),
    () => Buffer.concat([valid, Buffer.from([0x00])]),
    () => Buffer.concat([valid, Buffer.from('garbage')]),
    () => Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
    () => Buffer.from(text.replace(/"([^"]+)":/, '$1:')),
  ])();
}
