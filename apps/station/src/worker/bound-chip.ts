import { type ChipPresence } from './chip-probe.js';
import { type ChipProgrammer, type ProgrammingContext } from './chip-programmer.js';
import { type Fixture } from './fixture.js';
import { JobFailure } from './job-failure.js';
import { type ChipBinding } from './station-api.js';
import { errorFields, type StationLog } from './station-log.js';

export interface BoundChipDeps {
  readonly fixture: Fixture;
  readonly programmer: ChipProgrammer;
  readonly log: StationLog;
}

/**
 * A chip in the fixture that carries a device's identity no job here is working for (a partly
 * programmed chip moved here, or left behind by a failed or interrupted job): a `claimed` device is
 * finished on it with its own identity (claim — idempotent for its own UID —, cycle, report without
 * a job id: the API takes the one recorded at claim time); a chip of a device in a final state is
 * released to its bin. Final failures of that device are logged (`moved-chip-failed`), not thrown:
 * they are not the caller's.
 *
 * @throws JobFailure (retryable ones: link error, chip swapped), StationError `STATION_SHUTTING_DOWN`,
 *   StationApiError — the chip then stays in the fixture, resumable.
 */
export async function finishBoundChip(
  deps: BoundChipDeps,
  chip: ChipPresence,
  binding: ChipBinding,
  context: ProgrammingContext,
): Promise<void> {
  const fields = {
    fixture: deps.fixture.port,
    chipUid: chip.uid,
    boundDeviceId: binding.deviceId,
    boundState: binding.state,
  };
  if (binding.state !== 'claimed') {
    deps.log.write('info', 'chip-of-finished-device', fields);
    await deps.fixture.release(
      chip.uid,
      binding.state === 'provisioned' ? 'done' : 'quarantine',
      `device ${binding.state}`,
    );
    return;
  }
  context.progress('finishing-moved-chip', { deviceId: binding.deviceId, chipUid: chip.uid });
  deps.log.write('info', 'finishing-moved-chip', fields);
  try {
    await deps.programmer.program(binding.deviceId, chip, true, { ...context, jobId: undefined });
  } catch (error) {
    if (!(error instanceof JobFailure && error.final)) throw error;
    deps.log.write('warn', 'moved-chip-failed', { ...fields, ...errorFields(error) });
  }
}
