// What the fuzzer runs against: the real API (its own PGlite, SoftHSM token and Redis, as the
// integration tests get them) listening on a loopback port, a token of each role, and real
// resources — products, a layout, work orders, devices queued, claimed and provisioned — so a
// request with a real id reaches the service, not just the 404.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Role } from '../apps/api/src/auth/roles.js';
import { WorkOrderRepository } from '../apps/api/src/repositories/index.js';
import { TokensService } from '../apps/api/src/tokens/tokens.service.js';
import { startTestApi, type TestApi } from '../testkit/api.js';
import { seedCatalogRows, type SeededCatalog } from '../testkit/catalog-rows.js';
import { randomChipUid, successReport, type ClaimedImage } from '../testkit/station-reports.js';

/** Who sends a request: no token, a bad one, or a token of a role (`stationOther`: another line's station). */
export const CREDENTIALS = [
  'none',
  'malformed',
  'unknown',
  'admin',
  'mes',
  'auditor',
  'station',
  'stationOther',
] as const;
export type Credential = (typeof CREDENTIALS)[number];

export const ROLE_CREDENTIAL: Readonly<Record<Role, Credential>> = {
  admin: 'admin',
  mes: 'mes',
  auditor: 'auditor',
  station: 'station',
};

export interface WorldDevice {
  readonly id: string;
  /** The station's claim, for a device claimed in the set-up. */
  readonly claim: ClaimedImage | undefined;
}

export interface World {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly tokens: Readonly<Record<Credential, string | undefined>>;
  readonly catalog: SeededCatalog;
  readonly otherLine: SeededCatalog;
  /** Work orders the fuzzer may close (closing the catalog's own would stop device requests). */
  readonly spareWorkOrderIds: readonly string[];
  /** Tokens the fuzzer may revoke (never one of `tokens`). */
  readonly spareTokenIds: readonly string[];
  readonly devices: readonly WorldDevice[];
  /** The leaf index of a provisioned device's attestation. */
  readonly leafIndex: number;
  readonly stop: () => Promise<void>;
}

const CLAIMED_DEVICES = 12;
const QUEUED_DEVICES = 6;

async function call(baseUrl: string, token: string, method: string, path: string, body?: object, headers = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`fuzz set-up: ${method} ${path} → ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Starts the API and makes the resources; `stop()` closes everything. */
export async function startWorld(): Promise<World> {
  // The failure limiter would answer 429 to every request after 10 bad tokens from 127.0.0.1
  // (it has its own tests): the fuzzer sends bad tokens on purpose.
  const api: TestApi = await startTestApi({ env: { INGRAIN_AUTH_FAILURE_LIMIT: '100000' } });
  try {
    await api.app.listen(0, '127.0.0.1');
    const port = (api.app.getHttpServer().address() as AddressInfo).port;
    const baseUrl = `http://127.0.0.1:${port}`;
    const db = api.database.kysely;
    const catalog = await seedCatalogRows(db, { quantity: 1_000_000 });
    const otherLine = await seedCatalogRows(db, { example: 'gateway-f7', quantity: 100 });
    const orders = new WorkOrderRepository(db);
    const spareWorkOrderIds: string[] = [];
    for (let index = 0; index < 3; index++) {
      const order = await orders.create({
        productId: catalog.productId,
        layoutVersion: catalog.layoutVersion,
        quantity: 5,
      });
      spareWorkOrderIds.push(order.id);
    }
    const service = api.app.get(TokensService);
    const spareTokenIds: string[] = [];
    for (let index = 0; index < 3; index++) {
      spareTokenIds.push((await service.create({ name: `fuzz-spare-${index}`, role: 'auditor' })).id);
    }
    const tokens: Record<Credential, string | undefined> = {
      none: undefined,
      malformed: 'not-a-token',
      unknown: `ingr_${Buffer.alloc(32, 7).toString('base64url')}`,
      admin: api.adminToken,
      mes: await api.createToken('mes', 'fuzz-mes'),
      auditor: await api.createToken('auditor', 'fuzz-auditor'),
      station: await api.createToken('station', 'fuzz-station', catalog.stationId),
      stationOther: await api.createToken('station', 'fuzz-station-other', otherLine.stationId),
    };
    const devices = await makeDevices(baseUrl, tokens, catalog);
    const provisioned = devices.find((device) => device.claim !== undefined);
    if (provisioned?.claim === undefined) throw new Error('fuzz set-up: no claimed device');
    const result = await call(
      baseUrl,
      tokens.station ?? '',
      'POST',
      `/v1/devices/${provisioned.id}/result`,
      successReport(provisioned.claim),
    );
    const leafIndex = (result['attestation'] as { leafIndex: number }).leafIndex;
    return {
      baseUrl,
      port,
      tokens,
      catalog,
      otherLine,
      spareWorkOrderIds,
      spareTokenIds,
      devices: devices.filter((device) => device !== provisioned).concat({ id: provisioned.id, claim: undefined }),
      leafIndex,
      stop: () => api.close(),
    };
  } catch (error) {
    await api.close();
    throw error;
  }
}

async function makeDevices(
  baseUrl: string,
  tokens: Record<Credential, string | undefined>,
  catalog: SeededCatalog,
): Promise<WorldDevice[]> {
  const devices: WorldDevice[] = [];
  for (let index = 0; index < CLAIMED_DEVICES + QUEUED_DEVICES; index++) {
    const created = await call(
      baseUrl,
      tokens.mes ?? '',
      'POST',
      '/v1/devices',
      { workOrderId: catalog.workOrderId, inputs: catalog.inputs },
      { 'idempotency-key': randomUUID() },
    );
    const id = created['id'] as string;
    if (index >= CLAIMED_DEVICES) {
      devices.push({ id, claim: undefined });
      continue;
    }
    const claim = (await call(baseUrl, tokens.station ?? '', 'POST', `/v1/devices/${id}/claim`, {
      chipUid: randomChipUid(),
      claimId: randomUUID(),
    })) as unknown as ClaimedImage;
    devices.push({ id, claim });
  }
  return devices;
}
