import { OtpError } from '../errors.js';

/**
 * The planner was called with options or a profile it cannot plan for (a bad mergeGapBytes, or a
 * profile whose alignment does not divide its blocks, write-once units or lock area).
 * Code `PLAN_INPUT_INVALID`. A programming error, never a device condition.
 */
export class PlanInputError extends OtpError {
  constructor(message: string) {
    super('PLAN_INPUT_INVALID', message);
  }
}
