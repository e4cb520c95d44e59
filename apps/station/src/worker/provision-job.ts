import { type ChipPresence } from './chip-probe.js';
import { type ChipProgrammer, type ChipResult, type ProgrammingContext } from './chip-programmer.js';
import { type Fixture } from './fixture.js';
import { JobFailure } from './job-failure.js';
import { type ProvisionJobPayload } from './job-payload.js';
import { type ChipBinding, type StationApi } from './station-api.js';
import { errorFields, type StationLog } from './station-log.js';

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
 * device's identity (a partly programmed chip moved here), finish that device on it first, then
 * take the next chip; program this job's device on a chip that is unbound or already its own.
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
      const chip = await this.options.fixture.waitForChip(context.signal);
      let binding = await this.options.api.bindingFor(chip.uid);
      if (binding !== undefined && binding.deviceId !== payload.deviceId && binding.state !== 'queued') {
        await this.#finishForeign(chip, binding, context);
        continue;
      }
      const outcome = await this.options.programmer.program(payload.deviceId, chip, binding !== undefined, context);
      if (outcome.kind === 'finished') return { kind: 'finished', fixture, ...outcome.result };
      if (outcome.kind === 'already-final') return { kind: 'already-provisioned', fixture, deviceId: payload.deviceId };
      // The chip was bound to another device between the lookup and the claim: finish that one.
      binding = { deviceId: outcome.deviceId, state: 'claimed' };
      await this.#finishForeign(chip, binding, context);
    }
  }

  /**
   * A chip bound to another device: a claimed one is finished with its own identity (the report
   * carries no job id: the API takes the one recorded at claim time); a chip of a device in a final
   * state is released to its bin. Final failures of that device are logged, not this job's.
   */
  async #finishForeign(chip: ChipPresence, binding: ChipBinding, context: ProgrammingContext): Promise<void> {
    const fields = {
      fixture: this.options.fixture.port,
      chipUid: chip.uid,
      boundDeviceId: binding.deviceId,
      boundState: binding.state,
    };
    if (binding.state !== 'claimed') {
      this.options.log.write('info', 'chip-of-finished-device', fields);
      await this.options.fixture.release(
        chip.uid,
        binding.state === 'provisioned' ? 'done' : 'quarantine',
        `device ${binding.state}`,
      );
      return;
    }
    context.progress('finishing-moved-chip', { deviceId: binding.deviceId, chipUid: chip.uid });
    this.options.log.write('info', 'finishing-moved-chip', fields);
    try {
      await this.options.programmer.program(binding.deviceId, chip, true, { ...context, jobId: undefined });
    } catch (error) {
      if (!(error instanceof JobFailure && error.final)) throw error;
      this.options.log.write('warn', 'moved-chip-failed', { ...fields, ...errorFields(error) });
    }
  }
}
