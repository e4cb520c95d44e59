// Issue 9, "a standing adversarial suite": the authorization matrix, generated from the committed
// OpenAPI document. Every operation (path × method) of openapi/openapi.json is sent with no token, a
// malformed token, an unknown well-formed token, a revoked token, and the token of each role (admin,
// mes, auditor; station A1 and A2 of line A, station B of line B). The expected answer comes from
// the document: `security` says a token is needed, the ROLE_FORBIDDEN response names the allowed
// roles (written by @Roles), and a documented DEVICE_OTHER_LINE / DEVICE_CLAIMED_BY_OTHER_STATION
// says the operation is scoped to the station's line / to the claiming station. A new endpoint joins
// by itself; the tables below hold only what the document cannot say (which routes are public,
// real ids for path parameters, request bodies that get past validation).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { testStationKey } from '#ingrain/crypto/testing';
import { after, before, describe, test } from 'node:test';
import type { Response } from 'supertest';
import type { Role } from '../../apps/api/src/auth/roles.js';
import { StationRepository, WorkOrderRepository } from '../../apps/api/src/repositories/index.js';
import { TokensService } from '../../apps/api/src/tokens/tokens.service.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { readOpenApiOperations, type Method } from '../../testkit/openapi-operations.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { linkErrorReport, randomChipUid, successReport, type ClaimedImage } from '../../testkit/station-reports.js';
import { renderTextTable } from '../../testkit/tables.js';

// ─── What the document says ─────────────────────────────────────────────────────────────────────

interface Operation {
  readonly method: Method;
  /** The path template of the document (`/v1/devices/{id}/claim`). */
  readonly path: string;
  readonly operationId: string;
  /** Undefined for a public operation (no `security`). */
  readonly allowed: readonly Role[] | undefined;
  readonly headers: readonly string[];
  readonly hasBody: boolean;
  /** Documented DEVICE_OTHER_LINE: a station of another line is refused. */
  readonly lineScoped: boolean;
  /** Documented DEVICE_CLAIMED_BY_OTHER_STATION: another station of the line is refused. */
  readonly claimScoped: boolean;
}

/** The document's operations (testkit/openapi-operations.ts, shared with the fuzzer) as the matrix needs them. */
function documentedOperations(): Operation[] {
  return readOpenApiOperations().map((operation) => {
    const descriptions = Object.values(operation.responses).map((response) => response.description);
    return {
      method: operation.method,
      path: operation.path,
      operationId: operation.operationId,
      allowed: operation.allowed,
      headers: operation.parameters.filter((p) => p.in === 'header').map((p) => p.name),
      hasBody: operation.requestBody !== undefined,
      lineScoped: descriptions.some((text) => text.includes('DEVICE_OTHER_LINE')),
      claimScoped: descriptions.some((text) => text.includes('DEVICE_CLAIMED_BY_OTHER_STATION')),
    };
  });
}

// ─── What the document cannot say ───────────────────────────────────────────────────────────────

/**
 * The routes meant to answer without a token. A documented operation without `security` that is
 * not listed here fails the matrix: a new unauthenticated route must be a decision. `/docs` is
 * served outside the document (Swagger UI) and is checked the same way.
 */
const PUBLIC_ROUTES: readonly { readonly method: Method; readonly path: string; readonly status: number }[] = [
  { method: 'get', path: '/health/live', status: 200 },
  { method: 'get', path: '/health/ready', status: 200 },
  { method: 'get', path: '/metrics', status: 200 },
  { method: 'get', path: '/docs', status: 200 },
  { method: 'get', path: '/docs/openapi.json', status: 200 },
  // The contract itself (openapi/openapi.json): MES teams read it before they hold a token.
  { method: 'get', path: '/openapi.json', status: 200 },
  // The web console: its page (served outside the document) and its sign-in (an empty body: 400).
  { method: 'get', path: '/', status: 200 },
  { method: 'post', path: '/console/session', status: 400 },
];

const COLUMNS = [
  'none',
  'malformed',
  'unknown',
  'revoked',
  'admin',
  'mes',
  'auditor',
  'stationA1',
  'stationA2',
  'stationB',
] as const;
type Column = (typeof COLUMNS)[number];
const ROLE_OF: Partial<Record<Column, Role>> = {
  admin: 'admin',
  mes: 'mes',
  auditor: 'auditor',
  stationA1: 'station',
  stationA2: 'station',
  stationB: 'station',
};

/** A device of line A, claimed by station A1 (one per operation that names a device or a chip). */
interface ClaimedDevice {
  readonly id: string;
  readonly claim: ClaimedImage;
}

let api: TestApi;
let catalog: SeededCatalog;
let tokens: Record<Column, string | undefined>;
/** The leaf index of an attestation (a device provisioned in `before`). */
let leafIndex: number;
/** A work order only the matrix uses (closing it must not stop the device requests). */
let spareWorkOrderId: string;
/** A token only the matrix uses (revoking it must not lock the matrix out). */
let spareTokenId: string;

const bearer = (token: string) => `Bearer ${token}`;

async function createDevice(): Promise<string> {
  const response = await api
    .http()
    .post('/v1/devices')
    .set('Authorization', bearer(tokens.mes ?? ''))
    .set('Idempotency-Key', randomUUID())
    .send({ workOrderId: catalog.workOrderId, inputs: catalog.inputs });
  assert.equal(response.status, 202, response.text);
  return (response.body as { id: string }).id;
}

async function claimedDevice(): Promise<ClaimedDevice> {
  const id = await createDevice();
  const response = await api
    .http()
    .post(`/v1/devices/${id}/claim`)
    .set('Authorization', bearer(tokens.stationA1 ?? ''))
    .send({ chipUid: randomChipUid(), claimId: randomUUID() });
  assert.equal(response.status, 200, response.text);
  return { id, claim: response.body as ClaimedImage };
}

/** Real ids for the path parameters; an unknown parameter gets a random UUID (the allowed role then sees a 404). */
function pathValue(operation: Operation, name: string, device: ClaimedDevice): string {
  const resource = operation.path.split('/')[2];
  if (name === 'leafIndex') return String(leafIndex);
  if (name === 'chipUid') return device.claim.chipUid;
  if (name === 'version') return String(catalog.layoutVersion);
  if (name === 'id' && resource === 'devices') return device.id;
  if (name === 'id' && resource === 'products') return catalog.productId;
  if (name === 'id' && resource === 'tokens') return spareTokenId;
  if (name === 'id' && resource === 'work-orders') return spareWorkOrderId;
  return randomUUID();
}

/** Bodies that get past validation, so an allowed role reaches the service; any other operation gets `{}`. */
function bodyOf(operation: Operation, device: ClaimedDevice): object {
  switch (operation.operationId) {
    case 'devicesCreate':
      return { workOrderId: catalog.workOrderId, inputs: catalog.inputs };
    case 'devicesClaim':
      return { chipUid: device.claim.chipUid, claimId: randomUUID() };
    case 'devicesResult':
      // A link error keeps the device claimed: the later columns still find it as it was.
      return linkErrorReport(device.claim);
    case 'devicesRelease':
    case 'devicesScrap':
      return { reason: 'authorization matrix' };
    case 'workOrdersRequestDevices':
      return { items: [{ inputs: catalog.inputs }] };
    case 'layoutsRender':
      return { inputs: catalog.inputs };
    case 'stationsHeartbeat':
      return { bootId: randomUUID(), sequence: 0, sentAt: new Date().toISOString(), version: '0.1.0', fixtures: [] };
    default:
      return {};
  }
}

// ─── Set-up: one API, line A (stations A1, A2) and line B (station B) ───────────────────────────

before(async () => {
  // The failure limiter would answer 429 after 10 bad tokens from 127.0.0.1: the matrix sends
  // three per operation. The limiter has its own tests (api-hardening).
  api = await startTestApi({ env: { INGRAIN_AUTH_FAILURE_LIMIT: '100000' } });
  const db = api.database.kysely;
  catalog = await seedCatalogRows(db, { quantity: 1000 });
  const lineB = await seedCatalogRows(db, { example: 'gateway-f7', quantity: 5 });
  const stationA2 = `${catalog.stationId}-a2`;
  await new StationRepository(db).create({
    id: stationA2,
    name: 'Station A2',
    line: catalog.line,
    sealingPublicKey: testStationKey().publicKey,
  });
  spareWorkOrderId = (
    await new WorkOrderRepository(db).create({
      productId: catalog.productId,
      layoutVersion: catalog.layoutVersion,
      quantity: 5,
    })
  ).id;
  const service = api.app.get(TokensService);
  const revoked = await service.create({ name: 'matrix-revoked', role: 'admin' });
  await service.revoke(revoked.id);
  spareTokenId = (await service.create({ name: 'matrix-spare', role: 'auditor' })).id;
  tokens = {
    none: undefined,
    malformed: 'not-a-token',
    unknown: `ingr_${randomBytes(32).toString('base64url')}`,
    revoked: revoked.token,
    admin: api.adminToken,
    mes: await api.createToken('mes', 'matrix-mes'),
    auditor: await api.createToken('auditor', 'matrix-auditor'),
    stationA1: await api.createToken('station', 'matrix-station-a1', catalog.stationId),
    stationA2: await api.createToken('station', 'matrix-station-a2', stationA2),
    stationB: await api.createToken('station', 'matrix-station-b', lineB.stationId),
  };
  // An attestation for the auditor's routes.
  const provisioned = await claimedDevice();
  const result = await api
    .http()
    .post(`/v1/devices/${provisioned.id}/result`)
    .set('Authorization', bearer(tokens.stationA1 ?? ''))
    .send(successReport(provisioned.claim));
  assert.equal(result.status, 200, result.text);
  leafIndex = (result.body as { attestation: { leafIndex: number } }).attestation.leafIndex;
});

after(async () => {
  await api?.close();
});

// ─── The matrix ─────────────────────────────────────────────────────────────────────────────────

function send(method: Method, path: string, column: Column, headers: readonly string[], body?: object) {
  let request = api.http()[method](path);
  const token = tokens[column];
  if (token !== undefined) request = request.set('Authorization', bearer(token));
  for (const header of headers) request = request.set(header, randomUUID());
  return body === undefined ? request : request.send(body);
}

function assertProblem(response: Response, status: number, code: string, where: string): void {
  assert.equal(response.status, status, `${where}: ${response.status} ${response.text}`);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/, `${where}: ${response.text}`);
  assert.equal((response.body as { code?: unknown }).code, code, `${where}: ${response.text}`);
}

/** What a column must get on a secured operation. */
function check(operation: Operation, column: Column, response: Response, where: string): void {
  assert.ok(response.status < 500, `${where}: never a 5xx (${response.status} ${response.text})`);
  const token = tokens[column];
  if (token !== undefined) assert.ok(!response.text.includes(token), `${where}: the answer never echoes the token`);
  const refused = response.status >= 400 && typeof response.body === 'object' && response.body !== null;
  if (refused) assert.equal('image' in (response.body as object), false, `${where}: no image in a refusal`);
  if (column === 'none') return assertProblem(response, 401, 'AUTH_REQUIRED', where);
  const role = ROLE_OF[column];
  if (role === undefined) return assertProblem(response, 401, 'AUTH_INVALID', where);
  if (!(operation.allowed ?? []).includes(role)) return assertProblem(response, 403, 'ROLE_FORBIDDEN', where);
  if (column === 'stationB' && operation.lineScoped) return assertProblem(response, 409, 'DEVICE_OTHER_LINE', where);
  if (column === 'stationA2' && operation.claimScoped) {
    return assertProblem(response, 409, 'DEVICE_CLAIMED_BY_OTHER_STATION', where);
  }
  assert.ok(![401, 403].includes(response.status), `${where}: an allowed role gets through (${response.text})`);
  const code = (response.body as { code?: unknown } | undefined)?.code;
  if (column === 'stationA1') {
    assert.ok(
      code !== 'DEVICE_OTHER_LINE' && code !== 'DEVICE_CLAIMED_BY_OTHER_STATION',
      `${where}: the claiming station acts on its own device (${response.text})`,
    );
  }
}

const summary: string[][] = [];

/** A summary cell: the status, and the problem's code for a 4xx. */
function cell(response: Response): string {
  const code = (response.body as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && response.status >= 400 ? `${response.status} ${code}` : String(response.status);
}

void describe('authorization matrix from openapi/openapi.json', () => {
  const operations = documentedOperations();

  test('the document has operations, and every unsecured one is a listed public route', () => {
    assert.ok(operations.length >= 25, `only ${operations.length} operations`);
    for (const operation of operations.filter((o) => o.allowed === undefined)) {
      assert.ok(
        PUBLIC_ROUTES.some((route) => route.method === operation.method && route.path === operation.path),
        `${operation.method.toUpperCase()} ${operation.path} has no security and is not a listed public route`,
      );
    }
  });

  for (const operation of operations.filter((o) => o.allowed !== undefined)) {
    const name = `${operation.method.toUpperCase()} ${operation.path} (${(operation.allowed ?? []).join(', ')})`;
    test(name, async () => {
      const device = await claimedDevice();
      const path = operation.path.replace(/\{([^}]+)\}/g, (_match, param: string) =>
        encodeURIComponent(pathValue(operation, param, device)),
      );
      const responses: [Column, Response][] = [];
      for (const column of COLUMNS) {
        const body = operation.hasBody ? bodyOf(operation, device) : undefined;
        responses.push([column, await send(operation.method, path, column, operation.headers, body)]);
      }
      summary.push([`${operation.method.toUpperCase()} ${operation.path}`, ...responses.map(([, r]) => cell(r))]);
      for (const [column, response] of responses) {
        check(operation, column, response, `${operation.method.toUpperCase()} ${path} as ${column}`);
      }
    });
  }

  for (const route of PUBLIC_ROUTES) {
    test(`public: ${route.method.toUpperCase()} ${route.path}`, async () => {
      const responses: [Column, Response][] = [];
      for (const column of COLUMNS) responses.push([column, await send(route.method, route.path, column, [])]);
      summary.push([`${route.method.toUpperCase()} ${route.path} (public)`, ...responses.map(([, r]) => cell(r))]);
      for (const [column, response] of responses) {
        assert.equal(
          response.status,
          route.status,
          `${route.path} as ${column}: the normal answer, whatever the token`,
        );
      }
    });
  }

  test('summary', () => {
    console.log(`\n${renderTextTable({ columns: ['operation', ...COLUMNS], rows: summary })}\n`);
    assert.equal(summary.length, operations.filter((o) => o.allowed !== undefined).length + PUBLIC_ROUTES.length);
  });
});
