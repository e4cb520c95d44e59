import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { modelRef } from './api-models.js';
import { PROBLEM_MEDIA_TYPE, ProblemDetails } from './problem-details.js';

/**
 * Documents a problem response of a route, e.g. `@ApiProblem(409, 'CHIP_ALREADY_BOUND: the chip is
 * bound to another device (deviceId)')`. Documentation only: throwing an AppError is what answers it.
 */
export function ApiProblem(status: number, description?: string): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status,
    description: description ?? STATUS_CODES[status] ?? 'Error',
    content: { [PROBLEM_MEDIA_TYPE]: { schema: modelRef(ProblemDetails, 'response') } },
  });
}

/** Several {@link ApiProblem}s with their default descriptions. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiProblem(status)));
}
