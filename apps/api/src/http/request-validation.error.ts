import type { z } from 'zod';
import { AppError, type FieldIssue } from '../errors/app-error.js';
import { formatFieldPath } from './field-path.js';

/** Where a request value comes from; the first segment of each issue path (OpenAPI's `in`). */
export type RequestLocation = 'body' | 'query' | 'path' | 'header';

/**
 * Field issues of a zod error, each path prefixed with `location` (and the parameter's `name`)
 * when given: `body.fields[2].length`, `path.id`, `header.idempotency-key`. Never echoes a value.
 */
export function zodIssues(error: z.ZodError, location?: RequestLocation, name?: string): FieldIssue[] {
  const head = name === undefined ? [] : [name];
  return error.issues.flatMap((issue) => {
    // One entry per unexpected key, named by its own path (zod reports them on the object).
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatFieldPath([...head, ...issue.path, key], location),
        message: 'unknown field',
      }));
    }
    return [{ path: formatFieldPath([...head, ...issue.path], location), message: issue.message }];
  });
}

/**
 * A request's body, path, query or headers do not match the route's schema:
 * `VALIDATION_FAILED` with one entry in `errors` per problem, naming the field.
 */
export class RequestValidationError extends AppError {
  /** From a zod error, or from issues already named (e.g. the NUL and non-finite checks of http/unstorable-values.ts). */
  constructor(location: RequestLocation, error: z.ZodError | readonly FieldIssue[], name?: string) {
    const errors = Array.isArray(error) ? error : zodIssues(error as z.ZodError, location, name);
    const count = `${errors.length} issue${errors.length === 1 ? '' : 's'}`;
    super('VALIDATION_FAILED', `the request ${location} is invalid (${count})`, {
      errors,
      ...(Array.isArray(error) ? {} : { cause: error }),
    });
  }
}
