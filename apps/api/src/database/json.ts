/** A JSON value as stored in a jsonb column. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * The text to bind for a jsonb parameter. Always pass JSON text: node-postgres would turn a JS array
 * into a PostgreSQL array literal, and both drivers accept text for jsonb.
 */
export function jsonText(value: JsonValue): string {
  return JSON.stringify(value);
}
