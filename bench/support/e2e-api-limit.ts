// The API's own limit for the per-device work of the end-to-end flow, measured on the same stack (API
// process, PGlite, SoftHSM, Redis) without chips: each flow does what the MES and a station ask for
// one device — request it (identity in the HSM, job queued), look up the chip's binding, claim it,
// report a clean read-back (judged, attestation signed and logged) — back to back.
import { randomUUID } from 'node:crypto';
import { expectData, type IngrainClient } from '#ingrain/api-client';
import { sampleInputs, type LocalStack } from '../../testkit/stack/index.js';
import { randomChipUid, successReport } from '../../testkit/station-reports.js';
import { cpuSnapshot, type CpuSnapshot, cpuUsage, type CpuUsage } from './e2e-cpu.js';

export interface ApiLimit {
  readonly concurrency: number;
  /** Devices requested, claimed and reported `provisioned` per second in the window. */
  readonly perSecond: number;
  readonly devices: number;
  readonly windowMs: number;
  /** CPU during the window (the bench process is the client here). */
  readonly cpu: CpuUsage;
}

interface Clients {
  readonly mes: IngrainClient;
  readonly station: IngrainClient;
  readonly workOrderId: string;
}

let serialSequence = 0;

/** One device through the API as the MES and a station would drive it; resolves once it is attested. */
async function oneDevice(clients: Clients): Promise<void> {
  const serial = `SN-AL-${String(++serialSequence).padStart(6, '0')}`;
  const body = { workOrderId: clients.workOrderId, serial, inputs: sampleInputs(serial, serialSequence) };
  const headers = { 'Idempotency-Key': randomUUID() };
  const device = expectData(await clients.mes.POST('/v1/devices', { params: { header: headers }, body }));
  const chipUid = randomChipUid();
  const binding = await clients.station.GET('/v1/bindings/{chipUid}', { params: { path: { chipUid } } });
  if (binding.response.status !== 404) throw new Error(`binding of a new chip: HTTP ${binding.response.status}`);
  const path = { id: device.id };
  const claim = expectData(
    await clients.station.POST('/v1/devices/{id}/claim', {
      params: { path },
      body: { chipUid, claimId: randomUUID() },
    }),
  );
  const report = successReport(claim);
  const result = expectData(await clients.station.POST('/v1/devices/{id}/result', { params: { path }, body: report }));
  if (result.state !== 'provisioned') throw new Error(`device ${device.id}: ${result.state} (${result.reason})`);
}

/**
 * `concurrency` flows back to back for `warmupMs + windowMs`; counts the devices finished inside the
 * window. Run it last: its devices' queue jobs stay queued (no station takes them here).
 */
export async function measureApiLimit(
  stack: LocalStack,
  options: { concurrency: number; warmupMs: number; windowMs: number },
): Promise<ApiLimit> {
  const mes = stack.client(stack.catalog.mesToken);
  const stationToken = stack.catalog.stationTokens.get('st-1');
  if (stationToken === undefined) throw new Error('station st-1 is not registered');
  const order = expectData(
    await mes.POST('/v1/work-orders', { body: { productId: stack.catalog.productId, quantity: 100_000 } }),
  );
  const clients = { mes, station: stack.client(stationToken), workOrderId: order.id };
  const startMs = performance.now();
  const windowStartMs = startMs + options.warmupMs;
  const endMs = windowStartMs + options.windowMs;
  let devices = 0;
  const sampled: { before?: CpuSnapshot } = {};
  const warmup = setTimeout(() => (sampled.before = cpuSnapshot()), options.warmupMs);
  const flow = async () => {
    while (performance.now() < endMs) {
      await oneDevice(clients);
      const now = performance.now();
      if (now >= windowStartMs && now < endMs) devices++;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, flow));
  } finally {
    clearTimeout(warmup);
  }
  const after = cpuSnapshot();
  if (sampled.before === undefined) throw new Error('the API limit window never started');
  const cpuWindowMs = performance.now() - windowStartMs;
  return {
    concurrency: options.concurrency,
    perSecond: devices / (options.windowMs / 1000),
    devices,
    windowMs: options.windowMs,
    cpu: cpuUsage(sampled.before, after, cpuWindowMs),
  };
}
