import { Inject, Injectable } from '@nestjs/common';
import type { DsseEnvelope } from '#ingrain/crypto';
import { parseStationReport, type StationReport } from '#ingrain/contracts';
import { signedAttestationText } from '../attestations/attestation-step.js';
import type { Principal } from '../auth/principal.js';
import { LayoutCache, type ResolvedLayout } from '../catalogue/layout-cache.js';
import { assertHeldBy, assertOnLine, StationScope } from '../claims/station-scope.js';
import { deviceNotFound, deviceStateConflict } from '../device-requests/provisioning-errors.js';
import { LogService } from '../log/log.service.js';
import { Metrics } from '../metrics/metrics.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import type { ReportedDevice } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { Transactions } from '../repositories/transactions.js';
import { TrustService } from '../trust/trust.service.js';
import { deviceProvisionedEvent, deviceQuarantinedEvent } from '../webhooks/webhook-events.js';
import { intendedImageOf } from './intended-image.js';
import { quarantineDetails, recordedQuarantine, reportDetails } from './report-records.js';
import { judgeReport, type Judgement } from './result-judgement.js';
import type { ProvisioningResult } from './results.schemas.js';
import { bytesToHex } from '#ingrain/encoding';

/** Reason of the event a protected chip leaves on the queued device it was met for. */
const CHIP_PROTECTED = 'chip-protected';

/** A `protected` report without a chip UID about a queued device: a chip refused before any claim. */
function isUnboundChipRefusal(device: ReportedDevice, report: StationReport): boolean {
  return report.outcome === 'protected' && report.chipUid === null && device.state === 'queued';
}

/** Another report about the same device was recorded first: answer as for a repeated report. */
class Overtaken extends Error {}

type Quarantine = Extract<Judgement, { verdict: 'quarantined' }>;

const retried = (deviceId: string): ProvisioningResult => ({
  deviceId,
  state: 'claimed',
  verdict: 'retry',
  reason: 'link-error',
  diff: [],
  omittedDiffs: 0,
  attestation: null,
});

/**
 * Station results (`POST /v1/devices/{id}/result`): the station reports what it read back, the API
 * judges it against the image and lock mask it recorded and the chip bound at claim time, and
 * records the verdict — provisioned (attestation signed, appended to the transparency log, device
 * state changed and its sealed key erased, all in one transaction), quarantined (with the diff),
 * or retry (link error: the device stays claimed; a readout-protected chip met before any claim:
 * the device stays queued, the event records it). Repeating a report gets the same answer.
 */
@Injectable()
export class ResultsService {
  constructor(
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(AttestationRepository) private readonly attestations: AttestationRepository,
    @Inject(TrustService) private readonly trust: TrustService,
    @Inject(LogService) private readonly log: LogService,
    @Inject(LayoutCache) private readonly layouts: LayoutCache,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(StationScope) private readonly scope: StationScope,
  ) {}

  /**
   * Judges and records a report from the principal's station, which must hold the device (claimed
   * it, or took it over with its chip): every state change is conditional on that station still
   * holding it.
   *
   * @throws AppError STATION_TOKEN_REQUIRED, STATION_REPORT_INVALID, REPORT_SECRET_BYTES_PRESENT,
   *   REPORT_INCOMPLETE (nothing recorded); AppError DEVICE_NOT_FOUND, DEVICE_OTHER_LINE,
   *   DEVICE_CLAIMED_BY_OTHER_STATION (nothing recorded), DEVICE_STATE_CONFLICT (queued or
   *   scrapped, or a report that contradicts the final state already recorded).
   */
  async report(deviceId: string, body: unknown, principal: Principal): Promise<ProvisioningResult> {
    const station = await this.scope.stationOf(principal);
    const stationId = station.id;
    const report = parseStationReport(body);
    const device = await this.devices.reportable(deviceId);
    assertOnLine(station, deviceId, device?.line);
    if (device === undefined) throw deviceNotFound(deviceId);
    if (isUnboundChipRefusal(device, report)) return this.#chipRefused(device, report, stationId);
    if (device.chipUid === null || device.state === 'queued' || device.state === 'scrapped') {
      throw deviceStateConflict(device.state, 'report', `device ${deviceId} is ${device.state}: no report is expected`);
    }
    assertHeldBy(stationId, device);
    const resolved = await this.layouts.get(device.productId, device.layoutVersion);
    const judgement = judgeReport(intendedImageOf(device, resolved.layout), bytesToHex(device.chipUid), report);
    const result =
      device.state === 'claimed'
        ? await this.#record(device, resolved, report, judgement, stationId)
        : await this.#repeated(device, judgement);
    this.metrics.provisioningOutcomes.inc({ station: stationId, outcome: result.verdict, reason: result.reason });
    return result;
  }

  /**
   * A readout-protected chip met while the device waited for one: no UID, so never claimed. The
   * device stays queued (its job takes the next chip); the event records which station saw it.
   */
  async #chipRefused(device: ReportedDevice, report: StationReport, stationId: string): Promise<ProvisioningResult> {
    const event = { actor: stationId, reason: CHIP_PROTECTED, details: reportDetails(report) };
    if (!(await this.devices.recordEvent(device.id, 'queued', event))) {
      const state = (await this.devices.reportable(device.id))?.state ?? device.state;
      throw deviceStateConflict(state, 'report', `device ${device.id} left the queue: no chip report is expected`);
    }
    this.metrics.provisioningOutcomes.inc({ station: stationId, outcome: 'retry', reason: CHIP_PROTECTED });
    return { ...retried(device.id), state: 'queued', reason: CHIP_PROTECTED };
  }

  async #record(
    device: ReportedDevice,
    resolved: ResolvedLayout,
    report: StationReport,
    judgement: Judgement,
    stationId: string,
  ): Promise<ProvisioningResult> {
    try {
      switch (judgement.verdict) {
        case 'retry':
          await this.#transition(device, 'claimed', 'link-error', reportDetails(report), stationId);
          return retried(device.id);
        case 'quarantined':
          await this.#transition(
            device,
            'quarantined',
            judgement.reason,
            quarantineDetails(report, judgement),
            stationId,
          );
          return quarantined(device.id, judgement.reason, judgement);
        case 'provisioned':
          return await this.#provision(device, resolved, report, stationId);
      }
    } catch (error) {
      if (!(error instanceof Overtaken)) throw error;
      const current = await this.devices.reportable(device.id);
      if (current === undefined) throw deviceNotFound(device.id);
      assertHeldBy(stationId, current); // handed over meanwhile
      return this.#repeated(current, judgement);
    }
  }

  async #transition(
    device: ReportedDevice,
    to: 'claimed' | 'quarantined',
    reason: string,
    details: Parameters<DeviceRepository['transition']>[2]['details'],
    stationId: string,
  ): Promise<void> {
    const event = { actor: stationId, reason, details };
    const guard = { stationId, chipUid: device.chipUid ?? undefined };
    // A link error is no transition: the device stays claimed and the event records the attempt.
    // A quarantine commits with its webhook event (the outbox), or neither does.
    const moved =
      to === 'quarantined'
        ? await this.transactions.run(async ({ devices, webhookOutbox }) => {
            if (!(await devices.transition(device.id, 'quarantine', event, guard))) return false;
            await webhookOutbox.append(deviceQuarantinedEvent(device, stationId, reason));
            return true;
          })
        : await this.devices.recordEvent(device.id, 'claimed', event, guard);
    if (!moved) throw new Overtaken();
  }

  async #provision(
    device: ReportedDevice,
    resolved: ResolvedLayout,
    report: StationReport,
    stationId: string,
  ): Promise<ProvisioningResult> {
    const envelopeText = await signedAttestationText(
      {
        device,
        layout: resolved.layout,
        layoutRecord: resolved.record,
        report,
        stationId,
        claimedAt: device.claimedAt,
        attestedAt: new Date(),
      },
      this.trust.attestationSigner,
    );
    const leafIndex = await this.transactions.run(async ({ devices, log, attestations, webhookOutbox }) => {
      const event = { actor: stationId, reason: 'exact-match', details: reportDetails(report) };
      // The row lock first: a concurrent report waits here, then finds the device provisioned. The
      // sealed private key is erased by the same statement: a provisioned device never needs it.
      const guard = { stationId, chipUid: device.chipUid ?? undefined };
      if (!(await devices.transition(device.id, 'provision', event, guard, { eraseSealedKey: true }))) {
        throw new Overtaken();
      }
      const appended = await this.log.appendAttestation(log, envelopeText);
      await attestations.insert({
        leafIndex: appended.leafIndex,
        deviceId: device.id,
        envelope: envelopeText,
        serial: device.serial,
        chipUid: device.chipUid ?? new Uint8Array(),
        productId: device.productId,
        workOrderId: device.workOrderId,
        stationId,
      });
      await webhookOutbox.append(deviceProvisionedEvent(device, stationId, appended.leafIndex));
      return appended.leafIndex;
    });
    return provisioned(device.id, leafIndex, envelopeText);
  }

  /**
   * A report about a device whose outcome is already recorded: the same verdict gets the recorded
   * answer (the same attestation, the same diff); any other is refused.
   */
  async #repeated(device: ReportedDevice, judgement: Judgement): Promise<ProvisioningResult> {
    if (device.state === 'provisioned' && judgement.verdict === 'provisioned') {
      const attestation = await this.attestations.getByDevice(device.id);
      if (attestation !== undefined) return provisioned(device.id, attestation.leafIndex, attestation.envelope);
    }
    if (device.state === 'quarantined' && judgement.verdict === 'quarantined') {
      const recorded = recordedQuarantine(await this.devices.history(device.id));
      if (recorded?.reason === judgement.reason) {
        return { deviceId: device.id, state: 'quarantined', verdict: 'quarantined', attestation: null, ...recorded };
      }
    }
    if (device.state === 'claimed' && judgement.verdict === 'retry') return retried(device.id);
    throw deviceStateConflict(
      device.state,
      'report',
      `device ${device.id} is ${device.state}: this report contradicts the outcome already recorded`,
    );
  }
}

function provisioned(deviceId: string, leafIndex: number, envelopeText: string): ProvisioningResult {
  return {
    deviceId,
    state: 'provisioned',
    verdict: 'provisioned',
    reason: 'exact-match',
    diff: [],
    omittedDiffs: 0,
    attestation: { leafIndex, envelope: envelopeOf(envelopeText) },
  };
}

/** The stored normal-form text as the response's envelope object. */
function envelopeOf(envelopeText: string): NonNullable<ProvisioningResult['attestation']>['envelope'] {
  const envelope = JSON.parse(envelopeText) as DsseEnvelope;
  return {
    payloadType: envelope.payloadType,
    payload: envelope.payload,
    signatures: envelope.signatures.map(({ keyid, sig }) => ({ keyid, sig })),
  };
}

function quarantined(deviceId: string, reason: string, judgement: Quarantine): ProvisioningResult {
  return {
    deviceId,
    state: 'quarantined',
    verdict: 'quarantined',
    reason,
    diff: judgement.diff.map((entry) => ({ ...entry })),
    omittedDiffs: judgement.omittedDiffs,
    attestation: null,
  };
}
