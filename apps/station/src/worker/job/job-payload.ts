// The station's edge for a dequeued job: the payload is the shared contract (libs/contracts); a
// payload that breaks it is the station's STATION_JOB_INVALID, refused for good.
import { ContractError, parseProvisionJobPayload, type ProvisionJobPayload } from '#ingrain/contracts';
import { StationError } from '../errors.js';

/**
 * Parses a dequeued job's data.
 * @throws StationError `STATION_JOB_INVALID` naming the members at fault (never their values).
 */
export function parseJobPayload(data: unknown): ProvisionJobPayload {
  try {
    return parseProvisionJobPayload(data);
  } catch (error) {
    if (error instanceof ContractError) throw new StationError('STATION_JOB_INVALID', error.message, { cause: error });
    throw error;
  }
}
