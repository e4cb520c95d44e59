// Discoverable inputs (issue 12, item 4) against the real API: a layout version's inputs as JSON
// Schema, which agrees with the validator at each field's bounds; every request example of the
// OpenAPI document works as sent; docs/api.md's request field names and JSON examples match the
// request schemas (names cannot drift again).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { CreateProductRequest } from '../../apps/api/src/catalogue/products.schemas.js';
import { DeviceBatchRequest } from '../../apps/api/src/device-requests/device-batch.schemas.js';
import { CreateDeviceRequest } from '../../apps/api/src/device-requests/devices.schemas.js';
import { EXAMPLE_PRODUCT_ID, EXAMPLE_WORK_ORDER_ID } from '../../apps/api/src/openapi/examples.js';
import { CreateWorkOrderRequest } from '../../apps/api/src/work-orders/work-orders.schemas.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { REPO_ROOT } from '../../testkit/paths.js';

let api: TestApi;
let mes: string;
let auditor: string;
const SCHEMA_PATH = `/v1/products/${EXAMPLE_PRODUCT_ID}/layouts/1/inputs-schema`;

before(async () => {
  api = await startTestApi({ env: { INGRAIN_AUTH_FAILURE_LIMIT: '100000' } });
  mes = await api.createToken('mes');
  auditor = await api.createToken('auditor');
  const admin = (path: string, body: object) =>
    api.http().post(path).set('authorization', `Bearer ${api.adminToken}`).send(body);
  const product = await admin('/v1/products', { id: EXAMPLE_PRODUCT_ID, name: 'Sensor node', line: 'line-a' });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  const source = await readFile(join(REPO_ROOT, 'examples/layouts/sensor-node.yaml'), 'utf8');
  const layout = await admin(`/v1/products/${EXAMPLE_PRODUCT_ID}/layouts`, { source });
  assert.equal(layout.status, 201, JSON.stringify(layout.body));
  await api.database.kysely
    .insertInto('work_orders')
    .values({ id: EXAMPLE_WORK_ORDER_ID, product_id: EXAMPLE_PRODUCT_ID, layout_version: 1, quantity: 100 })
    .execute();
});

after(() => api?.close());

interface InputsSchema {
  properties: Record<string, { type?: string; minimum?: number; maximum?: number; maxLength?: number }>;
  required: string[];
  additionalProperties: boolean;
}

const render = (values: object) =>
  api
    .http()
    .post(`/v1/products/${EXAMPLE_PRODUCT_ID}/layouts/1/render`)
    .set('authorization', `Bearer ${mes}`)
    .send({ values });

describe('GET /v1/products/{id}/layouts/{version}/inputs-schema', () => {
  test('names every input field with its type; the serial is not required (the request fills it)', async () => {
    const response = await api.http().get(SCHEMA_PATH).set('authorization', `Bearer ${auditor}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const schema = response.body as InputsSchema;
    const sample = JSON.parse(await readFile(join(REPO_ROOT, 'examples/values/sensor-node.json'), 'utf8')) as object;
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(sample).sort());
    assert.ok(!schema.required.includes('serial'));
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(
      [schema.properties['gain']?.type, schema.properties['calibrated']?.type, schema.properties['serial']?.maxLength],
      ['number', 'boolean', 16],
    );
    assert.deepEqual(
      [schema.properties['offset_mv']?.minimum, schema.properties['offset_mv']?.maximum],
      [-32768, 32767],
    );
    const unknown = await api
      .http()
      .get(`/v1/products/${EXAMPLE_PRODUCT_ID}/layouts/9/inputs-schema`)
      .set('authorization', `Bearer ${mes}`);
    assert.equal((unknown.body as { code: string }).code, 'LAYOUT_NOT_FOUND');
  });

  test('the schema and the validator agree at every bound: the bound is accepted, one past it refused naming the field', async () => {
    const schema = (await api.http().get(SCHEMA_PATH).set('authorization', `Bearer ${mes}`)).body as InputsSchema;
    const sample = JSON.parse(await readFile(join(REPO_ROOT, 'examples/values/sensor-node.json'), 'utf8')) as object;
    let checked = 0;
    for (const [name, property] of Object.entries(schema.properties)) {
      const bounds: [unknown, unknown][] = [];
      if (property.maximum !== undefined) bounds.push([property.maximum, property.maximum + 1]);
      if (property.minimum !== undefined) bounds.push([property.minimum, property.minimum - 1]);
      if (property.maxLength !== undefined)
        bounds.push(['A'.repeat(property.maxLength), 'A'.repeat(property.maxLength + 1)]);
      for (const [inside, outside] of bounds) {
        const ok = await render({ ...sample, [name]: inside });
        assert.equal(ok.status, 200, `${name}=${String(inside)}: ${JSON.stringify(ok.body)}`);
        const refused = await render({ ...sample, [name]: outside });
        assert.equal(refused.status, 422, `${name}=${String(outside)}: ${JSON.stringify(refused.body)}`);
        const body = refused.body as { code: string; errors: { path: string }[] };
        assert.equal(body.code, 'VALUES_INVALID');
        assert.ok(
          body.errors.some((issue) => issue.path.endsWith(name)),
          JSON.stringify(body.errors),
        );
        checked += 1;
      }
    }
    assert.ok(checked >= 4, `bounds checked: ${checked}`);
  });
});

describe('every request example of the OpenAPI document works as sent', () => {
  test('each example body is sent to its operation and succeeds', async () => {
    const document = JSON.parse(await readFile(join(REPO_ROOT, 'openapi/openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { example?: unknown }> } }>>;
    };
    const pathValues: Record<string, string> = { version: '1' };
    const sent: string[] = [];
    for (const [template, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const example = operation.requestBody?.content?.['application/json']?.example;
        if (example === undefined) continue;
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
          name === 'id'
            ? template.startsWith('/v1/work-orders')
              ? EXAMPLE_WORK_ORDER_ID
              : EXAMPLE_PRODUCT_ID
            : (pathValues[name] ?? ''),
        );
        const token = template === '/v1/products' ? api.adminToken : mes;
        assert.equal(method, 'post');
        const response = await api
          .http()
          .post(path)
          .set('authorization', `Bearer ${token}`)
          .set('Idempotency-Key', randomUUID())
          .send(example as object);
        assert.ok(
          response.status >= 200 && response.status < 300,
          `${method} ${path}: ${JSON.stringify(response.body)}`,
        );
        if (template.endsWith('/devices') && template.startsWith('/v1/work-orders')) {
          assert.equal((response.body as { failed: number }).failed, 0, JSON.stringify(response.body));
        }
        sent.push(`${method} ${template}`);
      }
    }
    assert.ok(sent.length >= 5, sent.join(', '));
  });
});

// ─── docs/api.md against the request schemas ────────────────────────────────────────────────────

/** Every object key of a zod schema at any depth (through optional, default, arrays, pipes). */
function keysOf(schema: z.ZodType, into = new Set<string>()): Set<string> {
  const def = (
    schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType } }
  ).def;
  if (schema instanceof z.ZodObject) {
    for (const [key, child] of Object.entries<z.ZodType>(schema.shape)) {
      into.add(key);
      keysOf(child, into);
    }
  } else if (def.innerType !== undefined) keysOf(def.innerType, into);
  else if (def.element !== undefined) keysOf(def.element, into);
  else if (def.in !== undefined) keysOf(def.in, into);
  return into;
}

/** The required top-level keys of an object schema (neither optional nor defaulted). */
function requiredOf(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, child]) => !child.safeParse(undefined).success)
    .map(([key]) => key);
}

const DOCUMENTED_BODIES: Record<string, z.ZodObject> = {
  'POST /v1/products': CreateProductRequest,
  'POST /v1/work-orders': CreateWorkOrderRequest,
  'POST /v1/devices': CreateDeviceRequest,
  'POST /v1/work-orders/{id}/devices': DeviceBatchRequest,
};
const JSON_EXAMPLE_MODELS: Record<string, z.ZodType> = {
  CreateDeviceRequest,
  CreateWorkOrderRequest,
  DeviceBatchRequest,
  CreateProductRequest,
};

describe('docs/api.md', () => {
  test("the endpoint table names each request body's fields as the API does (every required one, no other)", async () => {
    const text = await readFile(join(REPO_ROOT, 'docs/api.md'), 'utf8');
    for (const [endpoint, schema] of Object.entries(DOCUMENTED_BODIES)) {
      const row = text.split('\n').find((line) => line.startsWith(`| \`${endpoint}\``));
      assert.ok(row !== undefined, `docs/api.md has a row for ${endpoint}`);
      const what = row.split('|')[3] ?? '';
      const names = [...what.matchAll(/`([^`]+)`/g)].flatMap((match) => {
        const code = match[1] ?? '';
        if (/^[A-Z0-9_]+$/.test(code) || code.includes('-')) return []; // an error code, a header
        return [...code.matchAll(/([A-Za-z_][A-Za-z0-9_]*)/g)]
          .map((m) => m[1] ?? '')
          .slice(0, code.includes('{') ? 99 : 1);
      });
      const known = keysOf(schema);
      for (const name of names)
        assert.ok(known.has(name), `${endpoint}: docs/api.md names \`${name}\`, the API has ${[...known].join(', ')}`);
      for (const name of requiredOf(schema))
        assert.ok(names.includes(name), `${endpoint}: docs/api.md does not name \`${name}\``);
    }
  });

  test('every JSON example is marked with its request model and parses with it', async () => {
    const text = await readFile(join(REPO_ROOT, 'docs/api.md'), 'utf8');
    const blocks = [...text.matchAll(/<!-- request: (\w+) -->\s*```json\n([\s\S]*?)```/g)];
    const unmarked = (text.match(/```json/g) ?? []).length - blocks.length;
    assert.equal(unmarked, 0, 'every ```json block of docs/api.md follows a <!-- request: Model --> marker');
    assert.ok(blocks.length >= 1);
    for (const [, model, json] of blocks) {
      const schema = JSON_EXAMPLE_MODELS[model ?? ''];
      assert.ok(schema !== undefined, `unknown model ${model}`);
      const parsed = schema.safeParse(JSON.parse(json ?? ''));
      assert.ok(parsed.success, `${model}: ${JSON.stringify(parsed.error?.issues)}`);
    }
  });
});
