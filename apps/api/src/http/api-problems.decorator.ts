import { ApiResponse } from '@nestjs/swagger';
import { ERROR_CATALOGUE, isErrorCode } from '../errors/error-catalogue.js';
import { modelRef } from './api-models.js';
import { PROBLEM_MEDIA_TYPE, ProblemDetails } from './problem-details.js';

// An error code in a description: upper-case words joined by underscores (DEVICE_NOT_FOUND).
const CODE_IN_TEXT = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;

/**
 * The status every code named in `description` has in the error catalogue.
 * @throws Error at start-up when it names no code, an unknown code, or codes of different statuses.
 */
function statusOf(description: string): number {
  const codes = description.match(CODE_IN_TEXT) ?? [];
  const statuses = new Set(codes.map((code) => (isErrorCode(code) ? ERROR_CATALOGUE[code].status : undefined)));
  const [status] = statuses;
  if (statuses.size !== 1 || typeof status !== 'number') {
    throw new Error(`@ApiProblem('${description}') must name catalogue codes that share one HTTP status`);
  }
  return status;
}

/**
 * Documents a problem response of a route by the codes it may answer, e.g. `@ApiProblem('CHIP_ALREADY_BOUND:
 * the chip is bound to another device (deviceId)')`. The status is the one the error catalogue gives
 * the codes named (they must share it). Documentation only: throwing an AppError is what answers it.
 */
export function ApiProblem(description: string): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status: statusOf(description),
    description,
    content: { [PROBLEM_MEDIA_TYPE]: { schema: modelRef(ProblemDetails, 'response') } },
  });
}
