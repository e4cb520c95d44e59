import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CycleOutcome,
  type CyclePhase,
  type CycleResult,
  getProfile,
  imageFromRaw,
  type OtpImage,
  runProvisioningCycle,
} from '#ingrain/otp';
import { tryHexToBytes } from '#ingrain/encoding';
import { type ChipPresence } from '../fixture/chip-probe.js';
import { StationError } from '../errors.js';
import { type Fixture } from '../fixture/fixture.js';
import { JobFailure } from '../job/job-failure.js';
import { type Delivery, type ResultReporter } from '../report/result-reporter.js';
import { type ClaimedImage, type ClaimOutcome, type StationApi } from '../api/station-api.js';
import { type StationLog } from '../station-log.js';
import { buildProtectedChipReport, buildStationReport } from '../report/station-report.js';
import { type UnusableChip } from '../fixture/fixture.js';

/** One step of a job, as shown in the job's progress and the station log. */
export type JobStep =
  'waiting-for-chip' | 'finishing-moved-chip' | 'claiming' | 'programming' | 'reporting' | 'released';

/** What the job runner tells the programmer about the job it works for. */
export interface ProgrammingContext {
  /** The job id, sent with the report only when the device is the job's own. */
  readonly jobId: string | undefined;
  /** Aborts at shutdown: no new cycle starts and no write begins after it. */
  readonly signal: AbortSignal;
  progress(step: JobStep, fields?: Readonly<Record<string, string | number>>): void;
}

/** A device finished on a chip: what the chip holds and what the API made of it. */
export interface ChipResult {
  readonly deviceId: string;
  readonly chipUid: string;
  readonly outcome: CycleOutcome;
  /** The API's verdict, `pending` while the report waits in the spool. */
  readonly verdict: 'provisioned' | 'quarantined' | 'retry' | 'pending';
  readonly bytesWritten: number;
  readonly blocksLocked: number;
  readonly totalMs: number;
}

/** What one device on one chip came to. */
export type ProgramOutcome =
  | { readonly kind: 'finished'; readonly result: ChipResult }
  /** The claim said the chip carries another device's identity (bound meanwhile). */
  | { readonly kind: 'chip-bound-to'; readonly deviceId: string }
  /** The device is provisioned already and this chip is not the one bound to it. */
  | { readonly kind: 'already-final' };

export interface ChipProgrammerOptions {
  readonly fixture: Fixture;
  readonly api: Pick<StationApi, 'claim'>;
  /** `kick` after every answered claim: the API is reachable, so spooled reports can go now. */
  readonly reporter: Pick<ResultReporter, 'submit' | 'kick'>;
  readonly log: StationLog;
  /** Extra cycles after a link-error, on the same chip. */
  readonly linkRetries: number;
  /** Wait before the first extra cycle; doubles each time. */
  readonly linkRetryBackoffMs: number;
  /** Told each cycle phase as it starts and each finished cycle (heartbeat, metrics); must not throw. */
  readonly observer?: CycleObserver;
}

/** Watches the cycles of one fixture (the heartbeat's board, the station's metrics). */
export interface CycleObserver {
  phase(phase: CyclePhase): void;
  cycleFinished(result: CycleResult, finishedAt: Date): void;
}

const QUARANTINE_CODES: Partial<
  Record<
    CycleOutcome,
    'STATION_CHIP_CONFLICT' | 'STATION_CHIP_VERIFY_FAILED' | 'STATION_CHIP_WRONG_DEVICE' | 'STATION_CHIP_PROTECTED'
  >
> = {
  conflict: 'STATION_CHIP_CONFLICT',
  'verify-failed': 'STATION_CHIP_VERIFY_FAILED',
  'wrong-device': 'STATION_CHIP_WRONG_DEVICE',
  // Readout protection found by the cycle (set after the probe read the UID): final, never retried.
  protected: 'STATION_CHIP_PROTECTED',
};

/**
 * Brings one device's identity onto the chip in the fixture: claim (the fence: an identity reaches
 * one chip only), the cycle with the claimed image, the report (spooled first), and the release of
 * the chip once its outcome is final. Nothing is written unless the cycle's own confirmed UID is the
 * claimed one and the station is not shutting down.
 */
export class ChipProgrammer {
  constructor(private readonly options: ChipProgrammerOptions) {}

  /**
   * @param chipBoundToDevice the binding lookup said this chip carries this device's identity
   * @throws JobFailure (final ones after the chip went to quarantine), StationError
   *   `STATION_SHUTTING_DOWN` (nothing written since the last step), StationApiError.
   */
  async program(
    deviceId: string,
    chip: ChipPresence,
    chipBoundToDevice: boolean,
    context: ProgrammingContext,
  ): Promise<ProgramOutcome> {
    context.progress('claiming', { deviceId, chipUid: chip.uid });
    const claim = await this.options.api.claim(deviceId, chip.uid);
    this.options.reporter.kick();
    switch (claim.kind) {
      case 'claimed':
        return { kind: 'finished', result: await this.#programClaimed(deviceId, chip, claim.image, context) };
      case 'chip-bound-to-other-device':
        return { kind: 'chip-bound-to', deviceId: claim.deviceId };
      case 'identity-bound-elsewhere':
        throw new JobFailure(
          'STATION_IDENTITY_BOUND_ELSEWHERE',
          `device ${deviceId} is bound to another chip; the fixture holding that chip finishes it`,
        );
      case 'not-claimable':
        return this.#notClaimable(deviceId, chip, chipBoundToDevice, claim);
      case 'secrets-unopened':
        // Nothing was written; the chip leaves the fixture (or every job would claim it again).
        await this.options.fixture.release(chip.uid, 'quarantine', claim.reason);
        throw new JobFailure(
          'STATION_SECRETS_UNOPENED',
          `device ${deviceId}: the claim's sealed secrets do not open with this station's key (${claim.reason}); nothing was written, the chip goes to quarantine and the device stays claimed for an admin to release or scrap`,
        );
    }
  }

  /**
   * Tells the API about a chip the fixture released without a UID while `deviceId` waited for one:
   * a readout-protected chip is recorded on the device (which stays queued; the job takes the next
   * chip). Unknown chips are only logged by the fixture. Never throws for the API's answer: the
   * report is spooled and delivered like any other.
   */
  async reportUnusableChip(deviceId: string, chip: UnusableChip, context: ProgrammingContext): Promise<void> {
    if (chip.kind !== 'protected-chip') return;
    const now = new Date();
    const report = buildProtectedChipReport(chip.productId, { startedAt: now, finishedAt: now, jobId: context.jobId });
    const delivery = await this.options.reporter.submit(deviceId, report);
    this.options.log.write('warn', 'protected-chip-reported', {
      fixture: this.options.fixture.port,
      deviceId,
      productId: chip.productId,
      delivery: delivery.kind,
    });
  }

  async #notClaimable(
    deviceId: string,
    chip: ChipPresence,
    chipBoundToDevice: boolean,
    claim: Extract<ClaimOutcome, { kind: 'not-claimable' }>,
  ): Promise<ProgramOutcome> {
    if (chipBoundToDevice)
      await this.options.fixture.release(
        chip.uid,
        claim.state === 'provisioned' ? 'done' : 'quarantine',
        `device ${claim.state}`,
      );
    if (claim.state === 'provisioned') return { kind: 'already-final' };
    throw new JobFailure(
      'STATION_DEVICE_NOT_CLAIMABLE',
      `device ${deviceId} is ${claim.state}: it is never provisioned again`,
    );
  }

  async #programClaimed(
    deviceId: string,
    chip: ChipPresence,
    claimed: ClaimedImage,
    context: ProgrammingContext,
  ): Promise<ChipResult> {
    const data = tryHexToBytes(claimed.dataHex);
    if (data === undefined)
      throw new StationError('STATION_API_INVALID_RESPONSE', `claim of device ${deviceId}: the image is not hex`);
    const image = imageFromRaw(claimed.family, data, claimed.lockedBlocks);
    data.fill(0);
    try {
      for (let attempt = 0; ; attempt++) {
        if (context.signal.aborted) throw shuttingDown();
        context.progress('programming', { deviceId, chipUid: chip.uid, attempt: attempt + 1 });
        const { result, startedAt, finishedAt } = await this.#cycle(image, chip, context);
        if (result.uid !== undefined && result.uid !== chip.uid) throw swapped(chip.uid);
        context.progress('reporting', { deviceId, chipUid: chip.uid, outcome: result.outcome });
        const report = buildStationReport(result, {
          secretRanges: claimed.secretRanges,
          startedAt,
          finishedAt,
          jobId: context.jobId,
        });
        const delivery = await this.options.reporter.submit(deviceId, report);
        if (result.outcome !== 'link-error') return await this.#settle(deviceId, chip, result, delivery, context);
        if (attempt >= this.options.linkRetries || context.signal.aborted)
          throw linkFailure(deviceId, result, attempt + 1);
        await sleep(this.options.linkRetryBackoffMs * 2 ** attempt);
      }
    } finally {
      image.data.fill(0); // the image holds secret bytes: do not leave them in memory longer than needed
    }
  }

  async #cycle(image: OtpImage, chip: ChipPresence, context: ProgrammingContext) {
    const startedAt = new Date();
    const result = await this.options.fixture.withClient(
      (client) =>
        runProvisioningCycle(client, {
          profile: getProfile(image.family),
          target: image,
          beforeWrite: (uid) => {
            // The claim's fence, checked on the cycle's own confirmed UID right before the first write.
            if (uid !== chip.uid) return Promise.reject(swapped(chip.uid));
            if (context.signal.aborted) return Promise.reject(shuttingDown());
            return Promise.resolve();
          },
          onProgress: (event) => {
            if (event.type === 'phase-start') this.options.observer?.phase(event.phase);
          },
        }),
      chip.uid,
    );
    const finishedAt = new Date();
    this.options.observer?.cycleFinished(result, finishedAt);
    return { result, startedAt, finishedAt };
  }

  /** Releases the chip to its bin and turns a final failure into a JobFailure. */
  async #settle(
    deviceId: string,
    chip: ChipPresence,
    result: CycleResult,
    delivery: Delivery,
    context: ProgrammingContext,
  ): Promise<ChipResult> {
    const chipResult: ChipResult = {
      deviceId,
      chipUid: chip.uid,
      outcome: result.outcome,
      verdict: delivery.kind === 'delivered' ? delivery.verdict : 'pending',
      bytesWritten: result.bytesWritten,
      blocksLocked: result.blocksLocked,
      totalMs: result.totalMs,
    };
    const failure = failureOf(deviceId, result, delivery);
    await this.options.fixture.release(
      chip.uid,
      failure === undefined ? 'done' : 'quarantine',
      failure?.code ?? result.outcome,
    );
    context.progress('released', { deviceId, chipUid: chip.uid, bin: failure === undefined ? 'done' : 'quarantine' });
    this.options.log.write(failure === undefined ? 'info' : 'warn', 'chip-finished', {
      fixture: this.options.fixture.port,
      ...chipResult,
    });
    if (failure !== undefined) throw failure;
    return chipResult;
  }
}

function failureOf(deviceId: string, result: CycleResult, delivery: Delivery): JobFailure | undefined {
  const code = QUARANTINE_CODES[result.outcome];
  if (code !== undefined) {
    const reason = result.error === undefined ? '' : ` (${result.error.code})`;
    return new JobFailure(
      code,
      `device ${deviceId}: the chip's outcome is ${result.outcome}${reason}; the chip goes to quarantine`,
    );
  }
  if (delivery.kind === 'rejected')
    return new JobFailure(
      'STATION_REPORT_REJECTED',
      `device ${deviceId}: the API refused the report (${delivery.code}); it is kept in the spool's rejected/`,
    );
  if (delivery.kind === 'delivered' && delivery.verdict === 'quarantined')
    return new JobFailure(
      'STATION_DEVICE_QUARANTINED',
      `device ${deviceId}: the API quarantined the device after judging the read-back`,
    );
  return undefined;
}

function linkFailure(deviceId: string, result: CycleResult, cycles: number): JobFailure {
  const code = result.error?.code ?? 'LINK_ERROR';
  return new JobFailure(
    'STATION_CHIP_LINK_ERROR',
    `device ${deviceId}: ${cycles} cycle(s) ended in link-error (${code}); the chip is resumable`,
  );
}

function swapped(expectedUid: string): JobFailure {
  return new JobFailure(
    'STATION_CHIP_SWAPPED',
    `the chip in the fixture is no longer ${expectedUid}: nothing was written or reported for it`,
  );
}

function shuttingDown(): StationError {
  return new StationError('STATION_SHUTTING_DOWN', 'the station is shutting down');
}
