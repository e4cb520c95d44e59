// bench:api's batch and line loads, sent from the parent process over loopback HTTP (keep-alive):
// batches of device requests (POST /v1/work-orders/{id}/devices) from a few callers, and what a
// station does per device — binding lookup of a fresh chip (404), claim, clean report — on devices
// requested beforehand. Every device started is finished; the row's rate is devices over the wall
// time until the last one finished, the same span the API's CPU is read over.
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { Agent } from 'node:http';
import { openClaim } from '../../testkit/sealed-claims.js';
import { randomChipUid, successReport, type ClaimedImage } from '../../testkit/station-reports.js';
import { send, type LoadTarget } from './api-load.js';

export interface BatchLoad {
  readonly items: number;
  readonly callers: number;
}

export interface BatchResult {
  readonly devices: number;
  readonly batches: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly wallMs: number;
  readonly perSecond: number;
  /** Wall time of each batch call, ms. */
  readonly latenciesMs: readonly number[];
  /** The ids of the devices created (queued: the line rows claim them). */
  readonly deviceIds: readonly string[];
}

interface BatchAnswer {
  readonly created: number;
  readonly failed: number;
  readonly results: readonly { readonly device: { readonly id: string } | null }[];
}

/**
 * `load.callers` callers, each sending batches of `load.items` devices back to back until
 * `windowMs` has passed (at least one each).
 */
export async function runBatches(
  target: LoadTarget,
  request: { readonly mesToken: string; readonly workOrderId: string; readonly inputs: Record<string, unknown> },
  load: BatchLoad,
  windowMs: number,
): Promise<BatchResult> {
  const body = JSON.stringify({ items: Array.from({ length: load.items }, () => ({ inputs: request.inputs })) });
  const path = `/v1/work-orders/${request.workOrderId}/devices`;
  const latenciesMs: number[] = [];
  const deviceIds: string[] = [];
  let devices = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const caller = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      do {
        const sentAt = performance.now();
        const headers = { authorization: `Bearer ${request.mesToken}`, 'idempotency-key': randomUUID() };
        const answer = await send(target, agent, { path, headers, body });
        latenciesMs.push(performance.now() - sentAt);
        const parsed = answer.status === 200 ? (JSON.parse(answer.body) as BatchAnswer) : undefined;
        if (parsed === undefined || parsed.failed > 0) {
          errors++;
          firstError ??= `${answer.status} ${answer.body.slice(0, 300)}`;
        }
        devices += parsed?.created ?? 0;
        for (const result of parsed?.results ?? []) if (result.device !== null) deviceIds.push(result.device.id);
      } while (performance.now() - start < windowMs);
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: load.callers }, caller));
  const wallMs = performance.now() - start;
  return {
    devices,
    batches: latenciesMs.length,
    errors,
    firstError,
    wallMs,
    perSecond: (devices * 1000) / wallMs,
    latenciesMs,
    deviceIds,
  };
}

/** The station the line rows act as. */
export interface LineStation {
  readonly token: string;
  readonly stationId: string;
  /** PKCS#8 PEM of its sealing key: the first claim of each row is opened to check the sealing. */
  readonly keyPem: string;
}

export interface LineResult {
  /** Devices reported and judged provisioned. */
  readonly devices: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly wallMs: number;
  readonly perSecond: number;
  /** Per call, ms. */
  readonly latenciesMs: { readonly binding: number[]; readonly claim: number[]; readonly result: number[] };
  /** The pool of requested devices ran out before the window closed. */
  readonly exhausted: boolean;
  /** A claim of this row was opened with the station's key (secrets sealed to it, bound to the claim). */
  readonly sealChecked: boolean;
}

class UnexpectedAnswer extends Error {}

async function expectStatus(
  call: Promise<{ status: number; body: string }>,
  status: number,
  what: string,
): Promise<string> {
  const answer = await call;
  if (answer.status !== status) throw new UnexpectedAnswer(`${what}: ${answer.status} ${answer.body.slice(0, 300)}`);
  return answer.body;
}

interface ClaimBody extends ClaimedImage {
  readonly sealedSecrets: unknown;
}

/**
 * `flows` stations' worth of calls, each flow taking the next device of `pool` (consumed) through
 * binding lookup, claim and report until `windowMs` has passed or the pool is empty.
 */
export async function runLine(
  target: LoadTarget,
  station: LineStation,
  pool: string[],
  flows: number,
  windowMs: number,
): Promise<LineResult> {
  const latenciesMs = { binding: [] as number[], claim: [] as number[], result: [] as number[] };
  const headers = { authorization: `Bearer ${station.token}` };
  const key: KeyObject = createPrivateKey(station.keyPem);
  let devices = 0;
  let errors = 0;
  let firstError: string | undefined;
  let sealChecked = false;
  const timed = async <T>(into: number[], call: () => Promise<T>): Promise<T> => {
    const sentAt = performance.now();
    const value = await call();
    into.push(performance.now() - sentAt);
    return value;
  };
  const oneDevice = async (agent: Agent, deviceId: string): Promise<void> => {
    const chipUid = randomChipUid();
    await timed(latenciesMs.binding, () =>
      expectStatus(
        send(target, agent, { method: 'GET', path: `/v1/bindings/${chipUid}`, headers, body: '' }),
        404,
        'binding',
      ),
    );
    const claimId = randomUUID();
    const claimText = await timed(latenciesMs.claim, () =>
      expectStatus(
        send(target, agent, {
          path: `/v1/devices/${deviceId}/claim`,
          headers,
          body: JSON.stringify({ chipUid, claimId }),
        }),
        200,
        'claim',
      ),
    );
    const claim = JSON.parse(claimText) as ClaimBody;
    if (!sealChecked) {
      openClaim(claim, key, { deviceId, chipUid, claimId, stationId: station.stationId }).data.fill(0);
      sealChecked = true;
    }
    const resultText = await timed(latenciesMs.result, () =>
      expectStatus(
        send(target, agent, {
          path: `/v1/devices/${deviceId}/result`,
          headers,
          body: JSON.stringify(successReport(claim)),
        }),
        200,
        'result',
      ),
    );
    const state = (JSON.parse(resultText) as { state: string }).state;
    if (state !== 'provisioned') throw new UnexpectedAnswer(`result: device ${deviceId} is ${state}`);
  };
  const start = performance.now();
  const flow = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let id = pool.pop(); id !== undefined; id = pool.pop()) {
        try {
          await oneDevice(agent, id);
          devices++;
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
        if (performance.now() - start >= windowMs) return;
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: flows }, flow));
  const wallMs = performance.now() - start;
  return {
    devices,
    errors,
    firstError,
    wallMs,
    perSecond: (devices * 1000) / wallMs,
    latenciesMs,
    exhausted: pool.length === 0 && wallMs < windowMs,
    sealChecked,
  };
}
