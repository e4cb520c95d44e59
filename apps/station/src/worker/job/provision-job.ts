import { type ProvisionJobPayload } from '#ingrain/contracts';
import { finishBoundChip } from '../fixture/bound-chip.js';
import { type ChipProgrammer, type ChipResult, type ProgrammingContext } from '../cycle/chip-programmer.js';
import { type Fixture } from '../fixture/fixture.js';
import { type ChipBinding, type StationApi } from '../api/station-api.js';
import { StationApiError } from '../errors.js';
import { type ChipPresence } from '../fixture/chip-probe.js';
import { type StationLog } from '../station-log.js';

/** What a completed job returns (stored by BullMQ as the job's return value). */
export type JobResult =
  | ({ readonly kind: 'finished'; readonly fixture: string } & ChipResult)
  /** A re-delivered job whose device was provisioned already (by this or another fixture). */
  | { readonly kind: 'already-provisioned'; readonly fixture: string; readonly deviceId: string };

export interface ProvisionJobOptions {
  readonly fixture: Fixture;
  readonly api: Pick<StationApi, 'bindingFor'>;
  readonly programmer: ChipProgrammer;
  readonly log: StationLog;
}

/**
 * Decides what a provisioning job does on its fixture: wait for a chip; if the chip carries another
 * device's identity (a partly programmed chip moved here), finish that device on it first
 * ({@link finishBoundChip}), then take the next chip; program this job's device on a chip that is unbound or already its own.
 */
export class ProvisionJob {
  constructor(private readonly options: ProvisionJobOptions) {}

  /**
   * @throws JobFailure, StationError `STATION_SHUTTING_DOWN`, StationApiError (see ChipProgrammer).
   */
  async run(payload: ProvisionJobPayload, context: ProgrammingContext): Promise<JobResult> {
    const fixture = this.options.fixture.port;
    for (;;) {
      context.progress('waiting-for-chip', { deviceId: payload.deviceId });
      const chip = await this.options.fixture.waitForChip(context.signal, (unusable) =>
        this.options.programmer.reportUnusableChip(payload.deviceId, unusable, context),
      );
      const lookup = await this.#bindingOf(chip);
      if (lookup === 'other-line') continue;
      let binding = lookup;
      if (binding !== undefined && binding.deviceId !== payload.deviceId && binding.state !== 'queued') {
        await finishBoundChip(this.options, chip, binding, context);
        continue;
      }
      const outcome = await this.options.programmer.program(payload.deviceId, chip, binding !== undefined, context);
      if (outcome.kind === 'finished') return { kind: 'finished', fixture, ...outcome.result };
      if (outcome.kind === 'already-final') return { kind: 'already-provisioned', fixture, deviceId: payload.deviceId };
      // The chip was bound to another device between the lookup and the claim: finish that one.
      binding = { deviceId: outcome.deviceId, state: 'claimed' };
      await finishBoundChip(this.options, chip, binding, context);
    }
  }

  /**
   * The chip's binding; 'other-line' when it carries a device of another line (409
   * DEVICE_OTHER_LINE): no station here may touch it, so it goes to quarantine — a final, logged
   * outcome for the chip — and the job waits for the next one (left in the fixture, every job of
   * the line would meet it and fail).
   */
  async #bindingOf(chip: ChipPresence): Promise<ChipBinding | undefined | 'other-line'> {
    try {
      return await this.options.api.bindingFor(chip.uid);
    } catch (error) {
      if (!(error instanceof StationApiError && error.problemCode === 'DEVICE_OTHER_LINE')) throw error;
      const fixture = this.options.fixture.port;
      this.options.log.write('warn', 'chip-of-other-line', {
        fixture,
        chipUid: chip.uid,
        problemCode: 'DEVICE_OTHER_LINE',
      });
      await this.options.fixture.release(chip.uid, 'quarantine', 'DEVICE_OTHER_LINE');
      return 'other-line';
    }
  }
}
