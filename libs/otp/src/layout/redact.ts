import { type Layout } from './types.js';

/** What redactValues puts in place of a secret value. */
export const REDACTED = '[redacted]';

/**
 * A copy of per-device `values` safe to log or return: every value of a secret field (and of any
 * name the layout does not know, since it cannot be judged) replaced by "[redacted]".
 */
export function redactValues(layout: Layout, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const open = new Set(layout.fields.filter((f) => !f.secret).map((f) => f.name));
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, open.has(name) ? value : REDACTED]));
}
