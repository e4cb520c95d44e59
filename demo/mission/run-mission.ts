import { join } from 'node:path';
import {
  auditWorkOrder,
  orderDevices,
  settledReleases,
  waitForWorkOrder,
  type LocalStack,
  type WorkOrderAudit,
} from '../../testkit/stack/index.js';
import { type DemoPlaces } from './next-steps.js';
import { type MissionOptions } from './options.js';
import { devicesByState, listDevices, tallyBins, tallyStations } from './outcomes.js';
import { type ProcessLogs } from './process-logs.js';
import { ProgressPrinter } from './progress.js';
import { BAUD_RATE, startLine, type RunningLine, type Started } from './start.js';
import { step, type Write } from './steps.js';
import { type MissionReport } from './summary.js';

/** How long the feeder may take to archive the last chips after their devices were reported. */
const RELEASE_SETTLE_MS = 15_000;

interface Provisioned {
  readonly workOrderId: string;
  /** Devices that ended with a chip (provisioned or quarantined). */
  readonly withChip: number;
  readonly provisioningMs: number;
}

/** Starts everything, orders the devices as an MES, waits for them, audits them as an auditor. */
export async function runMission(
  options: MissionOptions,
  logs: ProcessLogs,
  started: Started,
  write: Write,
): Promise<{ report: MissionReport; places: DemoPlaces }> {
  const line = await startLine(options, logs, started, write);
  const provisioned = await provision(options, line.stack, write);
  const audited = await audit(options, line.stack, provisioned.workOrderId, write);
  return {
    report: await collectReport(options, line, provisioned, audited),
    places: {
      dir: options.dir,
      apiUrl: line.stack.api.url,
      mesTokenFile: line.mesTokenFile,
      auditorTokenFile: line.auditorTokenFile,
      bundlePath: audited.bundlePath,
      publicKeysDir: line.stack.hsm.publicKeysDir,
      logOrigin: line.stack.logOrigin,
      workOrderId: provisioned.workOrderId,
      leafIndex: audited.attestations[0]?.leafIndex,
      keep: options.keep,
    },
  };
}

async function provision(options: MissionOptions, stack: LocalStack, write: Write): Promise<Provisioned> {
  const mes = stack.client(stack.catalog.mesToken);
  const startedMs = performance.now();
  const order = await step(
    write,
    `MES: opening a work order and requesting ${options.devices} devices over REST`,
    () =>
      orderDevices(mes, {
        productId: stack.catalog.productId,
        quantity: options.devices,
        serialPrefix: 'SN-DEMO-',
      }),
    (result) => `work order ${result.workOrderId}`,
  );
  write('Provisioning (a line every 2 s):\n');
  const progress = new ProgressPrinter(startedMs, (text) => write(`${text}\n`));
  const counts = await waitForWorkOrder(mes, order.workOrderId, {
    timeoutMs: options.timeoutMs,
    onProgress: (latest) => progress.update(latest),
  });
  progress.finish(counts);
  return {
    workOrderId: order.workOrderId,
    withChip: counts.provisioned + counts.quarantined,
    provisioningMs: performance.now() - startedMs,
  };
}

function audit(options: MissionOptions, stack: LocalStack, workOrderId: string, write: Write): Promise<WorkOrderAudit> {
  return step(
    write,
    'Auditor: exporting every attestation bundle and running bin/ingrain-verify',
    () => auditWorkOrder(stack, workOrderId, join(options.dir, 'bundles.jsonl')),
    (done) => `${done.verdict.passed}/${done.verdict.total} pass`,
  );
}

async function collectReport(
  options: MissionOptions,
  line: RunningLine,
  provisioned: Provisioned,
  audit: WorkOrderAudit,
): Promise<MissionReport> {
  const devices = await listDevices(line.stack.client(line.stack.catalog.mesToken), provisioned.workOrderId);
  const released = await settledReleases([line.sim], provisioned.withChip, RELEASE_SETTLE_MS);
  return {
    requested: options.devices,
    byState: devicesByState(devices),
    provisioningMs: provisioned.provisioningMs,
    stackStartMs: line.startUpMs,
    fixtures: line.sim.devices.length,
    baudRate: BAUD_RATE,
    stations: tallyStations(line.stack.stations.values(), devices),
    bins: tallyBins(released),
    attestations: audit.attestations.length,
    bundlePath: audit.bundlePath,
    verdict: audit.verdict,
  };
}
