import type { FieldIssue } from '../errors/app-error.js';
import { formatFieldPath } from './field-path.js';

/** At most this many issues are listed: the first few name the problem well enough. */
const MAX_ISSUES = 20;
/** A path names at most this many levels (a body may nest thousands deep). */
const MAX_PATH_SEGMENTS = 32;
const NUL = '\u0000';
const MESSAGE = 'must not contain U+0000 (NUL)';
const NON_FINITE_MESSAGE = 'must be a finite number (a JSON number beyond ±1.8e308 is not)';

/**
 * Every place in a request value (a parsed JSON body, a query object, a path parameter, a header)
 * holding what nothing downstream can store: U+0000 in a string, named by its own path, or in an
 * object key, named by the object; a number JSON.parse made infinite (`1e400`). PostgreSQL's text
 * and jsonb refuse U+0000, canonical JSON (the idempotency hash) and jsonb refuse ±Infinity, so
 * such a value would otherwise fail deep in a service as a 500; it is refused at the edge instead,
 * before any schema or service sees it. Iterative (a body may nest deeper than the stack); never
 * echoes a value.
 */
export function unstorableValueIssues(value: unknown, prefix: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // Each pending value links to its parent: a path is only built for an issue (no copy per level).
  const pending: Visit[] = [{ value, parent: undefined, segment: undefined }];
  for (let item = pending.pop(); item !== undefined && issues.length < MAX_ISSUES; item = pending.pop()) {
    const current = item.value;
    if (typeof current === 'string') {
      if (current.includes(NUL)) issues.push({ path: formatFieldPath(pathOf(item), prefix), message: MESSAGE });
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) {
        issues.push({ path: formatFieldPath(pathOf(item), prefix), message: NON_FINITE_MESSAGE });
      }
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        pending.push({ value: current[index], parent: item, segment: index });
      }
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current);
      if (entries.some(([key]) => key.includes(NUL))) {
        issues.push({ path: formatFieldPath(pathOf(item), prefix), message: `a key ${MESSAGE}` });
      }
      for (const [key, child] of entries.reverse()) {
        if (!key.includes(NUL)) pending.push({ value: child, parent: item, segment: key });
      }
    }
  }
  return issues;
}

interface Visit {
  readonly value: unknown;
  readonly parent: Visit | undefined;
  readonly segment: string | number | undefined;
}

function pathOf(visit: Visit): (string | number)[] {
  const segments: (string | number)[] = [];
  for (let at: Visit | undefined = visit; at?.segment !== undefined; at = at.parent) segments.push(at.segment);
  return segments.reverse().slice(0, MAX_PATH_SEGMENTS);
}
