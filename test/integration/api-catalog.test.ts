// The catalog against the real app: products, layouts (+ dry-run render) and stations — every
// endpoint × role, malformed bodies and invalid layouts refused naming the field with nothing stored,
// layout versions immutable and increasing, a rendered image that decodes back to its sample values.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Hsm } from '#ingrain/crypto';
import { decodeImage, layoutDigest, parseLayout } from '#ingrain/otp';
import type { Response } from 'supertest';
import { tryHexToBytes } from '#ingrain/encoding';
import type { Role } from '../../apps/api/src/auth/roles.js';
import { CatalogueModule } from '../../apps/api/src/catalogue/catalogue.module.js';
import { LayoutsService } from '../../apps/api/src/catalogue/layouts.service.js';
import type { Tables } from '../../apps/api/src/database/tables.js';
import { AppError } from '../../apps/api/src/errors/app-error.js';
import { LayoutRepository, ProductRepository, Transactions } from '../../apps/api/src/repositories/index.js';
import { StationsModule } from '../../apps/api/src/stations/stations.module.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { REPO_ROOT } from '../../testkit/paths.js';

let api: TestApi;
const tokens = {} as Record<Role, string>;

const bearer = (role: Role) => `Bearer ${tokens[role]}`;
const example = (path: string) => readFile(join(REPO_ROOT, 'examples', path), 'utf8');

function assertProblem(response: Response, status: number, code: string, paths: readonly string[] = []): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.body as { code: string; errors: { path: string }[] };
  assert.equal(body.code, code, JSON.stringify(body));
  const named = body.errors.map((issue) => issue.path);
  for (const path of paths) assert.ok(named.includes(path), `${path} in ${JSON.stringify(named)}`);
}

/** Rows of each catalog table: a refused request must leave them all unchanged. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = ['products', 'layouts', 'stations', 'api_tokens', 'work_orders', 'devices'] as const;
  const counts: Record<string, number> = {};
  for (const table of tables satisfies readonly (keyof Tables)[]) {
    const row = await api.database.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const latest = await api.database.kysely.selectFrom('products').select(['id', 'layout_version_latest']).execute();
  for (const product of latest) counts[`latest:${product.id}`] = product.layout_version_latest;
  return counts;
}

async function assertNothingStored(send: () => Promise<Response>, status: number, code: string, paths: string[]) {
  const before = await rowCounts();
  assertProblem(await send(), status, code, paths);
  assert.deepEqual(await rowCounts(), before, 'nothing stored');
}

const post = (path: string, role: Role, body: unknown) =>
  api
    .http()
    .post(path)
    .set('authorization', bearer(role))
    .send(body as object);
const get = (path: string, role: Role) => api.http().get(path).set('authorization', bearer(role));

before(async () => {
  api = await startTestApi({
    extraModules: [CatalogueModule, StationsModule],
    env: { INGRAIN_AUTH_FAILURE_LIMIT: '100000' },
  });
  tokens.admin = api.adminToken;
  tokens.mes = await api.createToken('mes');
  tokens.auditor = await api.createToken('auditor');
  const station = await post('/v1/stations', 'admin', { id: 'role-station', name: 'Role station', line: 'line-a' });
  assert.equal(station.status, 201, JSON.stringify(station.body));
  tokens.station = (station.body as { token: { token: string } }).token.token;
  const product = await post('/v1/products', 'admin', { id: 'sensor-node', name: 'Sensor node', line: 'line-a' });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  const layout = await post('/v1/products/sensor-node/layouts', 'admin', {
    source: await example('layouts/sensor-node.yaml'),
  });
  assert.equal(layout.status, 201, JSON.stringify(layout.body));
});

after(() => api?.close());

describe('every endpoint × role', () => {
  const ROLES: readonly Role[] = ['admin', 'mes', 'station', 'auditor'];
  const ENDPOINTS: readonly { method: 'get' | 'post'; path: string; body?: object; allowed: readonly Role[] }[] = [
    { method: 'post', path: '/v1/products', body: { id: 'sensor-node', name: 'x', line: 'a' }, allowed: ['admin'] },
    { method: 'get', path: '/v1/products', allowed: ['admin', 'mes'] },
    { method: 'get', path: '/v1/products/sensor-node', allowed: ['admin', 'mes'] },
    { method: 'post', path: '/v1/products/sensor-node/layouts', body: { source: 'name: x' }, allowed: ['admin'] },
    { method: 'get', path: '/v1/products/sensor-node/layouts/1', allowed: ['admin', 'mes', 'auditor'] },
    {
      method: 'post',
      path: '/v1/products/sensor-node/layouts/1/render',
      body: { values: {} },
      allowed: ['admin', 'mes'],
    },
    { method: 'post', path: '/v1/stations', body: { id: 'role-station', name: 'x', line: 'a' }, allowed: ['admin'] },
    { method: 'get', path: '/v1/stations', allowed: ['admin'] },
    { method: 'get', path: '/v1/stations/me', allowed: ['station'] },
  ];

  for (const endpoint of ENDPOINTS) {
    test(`${endpoint.method.toUpperCase()} ${endpoint.path}: ${endpoint.allowed.join(', ')}`, async () => {
      const send = (role?: Role) => {
        const pending = api.http()[endpoint.method](endpoint.path);
        if (role !== undefined) pending.set('authorization', bearer(role));
        return endpoint.body === undefined ? pending : pending.send(endpoint.body);
      };
      const before = await rowCounts();
      assertProblem(await send(), 401, 'AUTH_REQUIRED');
      for (const role of ROLES) {
        const response = await send(role);
        if (endpoint.allowed.includes(role)) {
          assert.ok(![401, 403].includes(response.status), `${role}: ${response.status}`);
        } else {
          assertProblem(response, 403, 'ROLE_FORBIDDEN');
        }
      }
      // The allowed calls above are refused (taken ids, bad values) or read-only: nothing changed.
      assert.deepEqual(await rowCounts(), before);
    });
  }
});

describe('products', () => {
  test('created, read one and listed; the id is final', async () => {
    const created = await post('/v1/products', 'admin', {
      id: 'gateway-f7',
      name: '  Gateway  ',
      line: 'line-b',
      serialPrefix: 'GW-',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const product = created.body as Record<string, unknown>;
    assert.deepEqual(
      { ...product, createdAt: undefined },
      {
        id: 'gateway-f7',
        name: 'Gateway',
        line: 'line-b',
        serialPrefix: 'GW-',
        latestLayoutVersion: 0,
        createdAt: undefined,
      },
    );
    assert.deepEqual((await get('/v1/products/gateway-f7', 'mes')).body, product);
    const list = (await get('/v1/products', 'mes')).body as { products: { id: string }[] };
    assert.deepEqual(
      list.products.map((entry) => entry.id),
      ['gateway-f7', 'sensor-node'],
    );
    await assertNothingStored(
      () => post('/v1/products', 'admin', { id: 'gateway-f7', name: 'Other', line: 'line-c' }),
      409,
      'PRODUCT_EXISTS',
      ['body.id'],
    );
  });

  test('an unknown product → 404 PRODUCT_NOT_FOUND; a malformed id → 400 naming it', async () => {
    assertProblem(await get('/v1/products/no-such-product', 'admin'), 404, 'PRODUCT_NOT_FOUND');
    assertProblem(await get('/v1/products/Not_A_Slug', 'admin'), 400, 'VALIDATION_FAILED', ['path.id']);
  });

  test('malformed bodies → 400 naming each field; nothing stored', async () => {
    const cases: [unknown, string[]][] = [
      [{ id: 'Sensor_Node', name: 'x', line: 'a' }, ['body.id']],
      [{ id: 'a--b', name: 'x', line: 'a' }, ['body.id']],
      [{ id: `p${'x'.repeat(64)}`, name: 'x', line: 'a' }, ['body.id']],
      [{ id: 'ok', name: '   ', line: 'a' }, ['body.name']],
      [{ id: 'ok', name: 'x' }, ['body.line']],
      [{ id: 'ok', name: 'x', line: 'line:1' }, ['body.line']],
      [{ id: 'ok', name: 'x', line: 'a', serialPrefix: '-SN' }, ['body.serialPrefix']],
      [{ id: 'ok', name: 'x', line: 'a', colour: 'red' }, ['body.colour']],
      [[], ['body']],
    ];
    for (const [body, paths] of cases) {
      await assertNothingStored(() => post('/v1/products', 'admin', body), 400, 'VALIDATION_FAILED', paths);
    }
  });
});

describe('layouts', () => {
  test('the first layout is stored as version 1 with its digest, source and normalized definition', async () => {
    const source = await example('layouts/sensor-node.yaml');
    const response = await get('/v1/products/sensor-node/layouts/1', 'mes');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const layout = response.body as Record<string, unknown> & { definition: { fields: { name: string }[] } };
    assert.equal(layout['version'], 1);
    assert.equal(layout['name'], 'sensor-node');
    assert.equal(layout['family'], 'stm32f4');
    assert.equal(layout['source'], source);
    assert.equal(layout['digest'], layoutDigest(parseLayout(source)));
    assert.equal(layout.definition.fields[0]?.name, 'serial');
    assert.equal(layoutDigest(parseLayout(JSON.stringify(layout.definition), 'json')), layout['digest']);
    const product = (await get('/v1/products/sensor-node', 'admin')).body as { latestLayoutVersion: number };
    assert.equal(product.latestLayoutVersion, 1);
  });

  test('versions increase, earlier ones never change; the text must carry the next version', async () => {
    const created = await post('/v1/products', 'admin', { id: 'versioned', name: 'Versioned', line: 'line-a' });
    assert.equal(created.status, 201);
    const text = (version: number, serialLength: number) =>
      JSON.stringify({
        name: 'versioned',
        version,
        family: 'stm32f7',
        fields: [{ name: 'serial', block: 0, offset: 0, type: 'ascii', length: serialLength, source: 'input' }],
        lock: [0],
      });
    const v1 = await post('/v1/products/versioned/layouts', 'admin', { source: text(1, 16), format: 'json' });
    assert.equal(v1.status, 201, JSON.stringify(v1.body));
    const first = (await get('/v1/products/versioned/layouts/1', 'admin')).body as Record<string, unknown>;

    const stale = () => post('/v1/products/versioned/layouts', 'admin', { source: text(1, 24) });
    await assertNothingStored(stale, 409, 'LAYOUT_VERSION_CONFLICT', ['version']);
    assert.equal(((await stale()).body as { expectedVersion: number }).expectedVersion, 2);
    await assertNothingStored(
      () => post('/v1/products/versioned/layouts', 'admin', { source: text(3, 24) }),
      409,
      'LAYOUT_VERSION_CONFLICT',
      ['version'],
    );

    const v2 = await post('/v1/products/versioned/layouts', 'admin', { source: text(2, 24) });
    assert.equal(v2.status, 201, JSON.stringify(v2.body));
    assert.equal((v2.body as { version: number }).version, 2);
    assert.notEqual((v2.body as { digest: string }).digest, first['digest']);
    assert.deepEqual((await get('/v1/products/versioned/layouts/1', 'admin')).body, first);
    assertProblem(await get('/v1/products/versioned/layouts/3', 'admin'), 404, 'LAYOUT_NOT_FOUND');
  });

  test('two concurrent adds of the same next version: one is stored, the other refused', async () => {
    assert.equal((await post('/v1/products', 'admin', { id: 'raced', name: 'Raced', line: 'line-a' })).status, 201);
    const source = (serialLength: number) =>
      `name: raced\nversion: 1\nfamily: stm32f4\nfields:\n  - { name: s, block: 0, offset: 0, type: ascii, length: ${serialLength}, source: input }\n`;
    const responses = await Promise.all(
      [8, 12, 16].map((n) => post('/v1/products/raced/layouts', 'admin', { source: source(n) })),
    );
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [201, 409, 409]);
    for (const refused of responses.filter((response) => response.status === 409)) {
      assertProblem(refused, 409, 'LAYOUT_VERSION_CONFLICT', ['version']);
    }
    const product = (await get('/v1/products/raced', 'admin')).body as { latestLayoutVersion: number };
    assert.equal(product.latestLayoutVersion, 1);
    assertProblem(await get('/v1/products/raced/layouts/2', 'admin'), 404, 'LAYOUT_NOT_FOUND');
  });

  test('a version added between the check and the insert is refused and rolled back', async () => {
    // The race, made deterministic: the service reads the product before another add committed.
    const db = api.database.kysely;
    const products = new ProductRepository(db);
    await products.create({ id: 'stale-read', name: 'Stale read', line: 'line-a' });
    const source = `name: stale\nversion: 1\nfamily: stm32f4\nfields:\n  - { name: t, block: 0, offset: 0, type: u8, source: input }\n`;
    assert.equal((await post('/v1/products/stale-read/layouts', 'admin', { source })).status, 201);
    const current = await products.get('stale-read');
    assert.ok(current !== undefined && current.latestLayoutVersion === 1);
    const stale = {
      get: () => Promise.resolve({ ...current, latestLayoutVersion: 0 }),
    } as unknown as ProductRepository;
    const service = new LayoutsService(new Transactions(api.database), stale, new LayoutRepository(db));
    const before = await rowCounts();
    await assert.rejects(
      service.add('stale-read', { source }),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'LAYOUT_VERSION_CONFLICT' &&
        error.extensions['expectedVersion'] === 2,
    );
    assert.deepEqual(await rowCounts(), before, 'the counter bump and the insert were rolled back');
  });

  test('an invalid layout → 422 LAYOUT_INVALID naming every issue; nothing stored', async () => {
    const overlapping = [
      'name: sensor-node',
      'version: 2',
      'family: stm32f4',
      'fields:',
      '  - { name: a, block: 0, offset: 0, type: u32le, source: input }',
      '  - { name: b, block: 0, offset: 2, type: u16le, source: input, lenght: 2 }',
      '  - { name: c, block: 40, offset: 0, type: u8, source: input }',
      'lock: [0, 9]',
    ].join('\n');
    await assertNothingStored(
      () => post('/v1/products/sensor-node/layouts', 'admin', { source: overlapping }),
      422,
      'LAYOUT_INVALID',
      ['fields[1]', 'fields[2].block', 'lock[1]'],
    );
    const cases: [string, 'yaml' | 'json' | undefined][] = [
      ['name: x\nversion: 2\nfamily: stm32x9\nfields: []', undefined],
      ['name: [unclosed', undefined],
      ['name: x\nversion: 2', 'json'],
      ['{ "name": "x" ', undefined],
    ];
    for (const [source, format] of cases) {
      await assertNothingStored(
        () => post('/v1/products/sensor-node/layouts', 'admin', { source, ...(format ? { format } : {}) }),
        422,
        'LAYOUT_INVALID',
        [],
      );
    }
  });

  test('malformed requests → 400 naming the field; an unknown product → 404; nothing stored', async () => {
    const path = '/v1/products/sensor-node/layouts';
    for (const [body, field] of [
      [{}, 'body.source'],
      [{ source: 42 }, 'body.source'],
      [{ source: '' }, 'body.source'],
      [{ source: 'x'.repeat(256 * 1024 + 1) }, 'body.source'],
      [{ source: 'name: x', format: 'xml' }, 'body.format'],
      [{ source: 'name: x', version: 2 }, 'body.version'],
    ] as const) {
      await assertNothingStored(() => post(path, 'admin', body), 400, 'VALIDATION_FAILED', [field]);
    }
    const source = await example('layouts/sensor-node.yaml');
    await assertNothingStored(
      () => post('/v1/products/no-such/layouts', 'admin', { source }),
      404,
      'PRODUCT_NOT_FOUND',
      [],
    );
    for (const version of ['0', 'abc', '1.5', '99999999999']) {
      assertProblem(await get(`${path}/${version}`, 'admin'), 400, 'VALIDATION_FAILED', ['path.version']);
    }
    assertProblem(await get('/v1/products/no-such/layouts/1', 'admin'), 404, 'LAYOUT_NOT_FOUND');
  });
});

describe('render (dry run)', () => {
  interface Rendered {
    dataHex: string;
    lockBytesHex: string;
    lockedBlocks: number[];
    fields: { name: string; value: unknown; hex: string | null; redacted: boolean; placeholder: boolean }[];
  }

  test('the image decodes back to the sample values; generated fields hold placeholders', async () => {
    const values = JSON.parse(await example('values/sensor-node.json')) as Record<string, unknown>;
    const before = await rowCounts();
    const keysBefore = await listHsmKeys();
    const response = await post('/v1/products/sensor-node/layouts/1/render', 'mes', { values });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const rendered = response.body as Rendered;
    const layout = parseLayout(await example('layouts/sensor-node.yaml'));
    const data = tryHexToBytes(rendered.dataHex);
    assert.ok(data !== undefined && data.length === 512);
    const decoded = decodeImage(layout, data);
    for (const [name, value] of Object.entries(values)) {
      const field = decoded.find((entry) => entry.name === name);
      const expected = name === 'gain' || name === 'temp_coeff_ppm' ? Math.fround(value as number) : value;
      assert.equal(field?.value, expected, name);
    }
    const pubkeyHash = rendered.fields.find((field) => field.name === 'pubkey_hash');
    assert.equal(pubkeyHash?.placeholder, true);
    assert.equal(pubkeyHash?.hex, Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex'));
    const pairing = rendered.fields.find((field) => field.name === 'pairing_key');
    assert.deepEqual([pairing?.redacted, pairing?.hex, pairing?.value], [true, null, null]);
    assert.equal(rendered.dataHex.slice(128 * 2, 144 * 2), '00'.repeat(16), 'secret bytes zeroed');
    assert.deepEqual(rendered.lockedBlocks, [0, 1, 2, 3, 4]);
    assert.equal(rendered.lockBytesHex, '00'.repeat(5) + 'ff'.repeat(11));
    assert.deepEqual(await rowCounts(), before, 'nothing stored');
    assert.deepEqual(await listHsmKeys(), keysBefore, 'no key made on the token');
  });

  test('a secret sample input never appears in the response', async () => {
    const created = await post('/v1/products', 'admin', { id: 'gw', name: 'Gateway', line: 'line-b' });
    assert.equal(created.status, 201);
    const source = (await example('layouts/gateway-f7.yaml')).replace('version: 2', 'version: 1');
    assert.equal((await post('/v1/products/gw/layouts', 'admin', { source })).status, 201);
    const values = JSON.parse(await example('values/gateway-f7.json')) as Record<string, string>;
    const pin = values['support_pin'];
    assert.ok(pin !== undefined && pin.length >= 4);
    const response = await post('/v1/products/gw/layouts/1/render', 'admin', { values });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.ok(!response.text.includes(pin));
    assert.ok(!response.text.includes(Buffer.from(pin).toString('hex')));
    assert.ok(!api.logs.join('').includes(pin), 'nor in a log line');
    assert.equal((response.body as Rendered).fields.find((field) => field.name === 'device_key')?.redacted, true);
  });

  test('values that do not fit → 422 VALUES_INVALID naming each field; generated ones → 422', async () => {
    const path = '/v1/products/sensor-node/layouts/1/render';
    await assertNothingStored(
      () => post(path, 'mes', { values: { serial: 'x'.repeat(17), gain: 'loud', unknown_field: 1 } }),
      422,
      'VALUES_INVALID',
      ['serial', 'gain', 'unknown_field', 'radio_mac'],
    );
    const values = JSON.parse(await example('values/sensor-node.json')) as Record<string, unknown>;
    await assertNothingStored(
      () => post(path, 'mes', { values: { ...values, pubkey_hash: 'ab'.repeat(32) } }),
      422,
      'IDENTITY_INPUT_INVALID',
      ['body.values.pubkey_hash'],
    );
    assertProblem(await post(path, 'mes', { values: [] }), 400, 'VALIDATION_FAILED', ['body.values']);
    assertProblem(await post(path, 'mes', {}), 400, 'VALIDATION_FAILED', ['body.values']);
    assertProblem(await post('/v1/products/sensor-node/layouts/9/render', 'mes', { values }), 404, 'LAYOUT_NOT_FOUND');
  });
});

describe('stations', () => {
  test('registered with a station token bound to it, shown once; listed without secrets', async () => {
    const response = await post('/v1/stations', 'admin', { id: 'line1-st3', name: 'Line 1 station 3', line: 'line-1' });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const created = response.body as {
      station: Record<string, unknown>;
      token: { token: string; role: string; stationId: string; name: string };
    };
    assert.deepEqual(
      { ...created.station, createdAt: undefined },
      {
        id: 'line1-st3',
        name: 'Line 1 station 3',
        line: 'line-1',
        createdAt: undefined,
        // Registered without a sealing key: it cannot claim until the admin registers one.
        sealingKeyFingerprint: null,
        sealingKeyRegisteredAt: null,
      },
    );
    assert.equal(created.token.role, 'station');
    assert.equal(created.token.stationId, 'line1-st3');
    assert.match(created.token.token, /^ingr_[A-Za-z0-9_-]{43}$/);
    // The token authenticates (403: a station may not read products, but it is known).
    const asStation = await api.http().get('/v1/products').set('authorization', `Bearer ${created.token.token}`);
    assertProblem(asStation, 403, 'ROLE_FORBIDDEN');
    const list = await get('/v1/stations', 'admin');
    assert.equal(list.status, 200);
    assert.deepEqual(
      (list.body as { stations: { id: string }[] }).stations.map((station) => station.id),
      ['line1-st3', 'role-station'],
    );
    assert.ok(!list.text.includes(created.token.token));
    const tokenList = await get('/v1/tokens', 'admin');
    assert.ok(
      (tokenList.body as { tokens: { stationId: string | null }[] }).tokens.some((t) => t.stationId === 'line1-st3'),
    );
    assert.ok(!api.logs.join('').includes(created.token.token), 'the secret is in no log line');
  });

  test('a taken id → 409 STATION_EXISTS, and no token is made', async () => {
    await assertNothingStored(
      () => post('/v1/stations', 'admin', { id: 'role-station', name: 'Again', line: 'line-a' }),
      409,
      'STATION_EXISTS',
      ['body.id'],
    );
  });

  test('malformed bodies → 400 naming each field; nothing stored', async () => {
    for (const [body, paths] of [
      [{ id: 'St 1', name: 'x', line: 'a' }, ['body.id']],
      [{ id: 'st-9', line: 'a' }, ['body.name']],
      [{ id: 'st-9', name: 'x', line: '' }, ['body.line']],
      [{ id: 'st-9', name: 'x', line: 'a', role: 'admin' }, ['body.role']],
    ] as const) {
      await assertNothingStored(() => post('/v1/stations', 'admin', body), 400, 'VALIDATION_FAILED', [...paths]);
    }
  });
});

/** Labels of the keys on the test token (the service keys only, unless something made another). */
async function listHsmKeys(): Promise<string[]> {
  return (await api.app.get(Hsm).listKeys()).map((key) => key.label).sort();
}
