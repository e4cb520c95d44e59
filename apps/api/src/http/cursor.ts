// Cursor paging, shared by every list of the API (docs/api.md, "Lists and paging"): a list answers
// `{ <items>: [...], nextCursor }` and takes `?limit=&cursor=`. A cursor is opaque to the client:
// base64url of `{"l": <list name>, "k": <sort key of the last item>}`. It holds only the position
// (no filter, no secret): a forged one can only start a list the caller may read anyway at another
// place, so it is not signed; a malformed one, or one of another list, is refused with
// CURSOR_INVALID naming `query.cursor`.
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';

/** One sort key: the values of the ordering columns of the last item of a page, in order. */
export type CursorKey = readonly (string | number)[];

/** Longest cursor accepted (a sort key is a few short values). */
export const MAX_CURSOR_CHARS = 512;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const wireCursor = z.strictObject({ l: z.string(), k: z.array(z.union([z.string(), z.int()])).min(1) });

/** The `cursor` query parameter (checked for shape here; decoded against its list by decodeCursor). */
export const cursorParam = z
  .string()
  .min(1)
  .max(MAX_CURSOR_CHARS)
  .regex(BASE64URL, 'cursor must be the nextCursor of an earlier page, as given')
  .optional()
  .describe("The previous page's nextCursor (opaque); absent for the first page");

/** The `limit` query parameter: page size 1..max, default `defaultLimit`. */
export function limitParam(maxLimit: number, defaultLimit: number) {
  return z.coerce
    .number()
    .int()
    .min(1)
    .max(maxLimit)
    .default(defaultLimit)
    .describe(`Page size (1-${maxLimit}, default ${defaultLimit})`);
}

/** The `nextCursor` member of a list answer. */
export const nextCursorField = z
  .string()
  .nullable()
  .describe('Pass as `cursor` to get the next page; null on the last page');

/** The cursor that continues `list` after the item whose sort key is `key`. */
export function encodeCursor(list: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify({ l: list, k: key }), 'utf8').toString('base64url');
}

function cursorInvalid(message: string): AppError {
  return new AppError('CURSOR_INVALID', `the cursor is not valid for this list: ${message}`, {
    errors: [{ path: 'query.cursor', message }],
  });
}

/**
 * The sort key a cursor of `list` holds, checked against `keySchema`.
 *
 * @throws AppError CURSOR_INVALID (path `query.cursor`) for a cursor that is not base64url JSON of
 *   this module, one of another list, or one whose key does not match the list's sort key.
 */
export function decodeCursor<S extends z.ZodType>(list: string, cursor: string, keySchema: S): z.output<S> {
  if (cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) throw cursorInvalid('not a cursor of this API');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw cursorInvalid('not a cursor of this API');
  }
  const wire = wireCursor.safeParse(decoded);
  if (!wire.success) throw cursorInvalid('not a cursor of this API');
  if (wire.data.l !== list) throw cursorInvalid(`a cursor of another list, not of ${list}`);
  const key = keySchema.safeParse(wire.data.k);
  if (!key.success) throw cursorInvalid(`not a position in ${list}`);
  return key.data;
}

/** One page of a list and the cursor of the next. */
export interface CursorPage<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * Cuts a page from `rows`, read with `limit + 1` (the extra row only says there is more): the first
 * `limit` rows, and a cursor after the last of them when there is more.
 */
export function cursorPage<T>(
  list: string,
  rows: readonly T[],
  limit: number,
  keyOf: (row: T) => CursorKey,
): CursorPage<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const more = rows.length > limit && last !== undefined;
  return { items, nextCursor: more ? encodeCursor(list, keyOf(last)) : null };
}

/**
 * A PostgreSQL timestamp as a sort key: its exact value as text (microseconds, UTC), since a JS Date
 * keeps milliseconds only and a key rounded down would repeat or skip rows.
 */
export const timestampKey = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

/** The query of a list without filters: `?limit=&cursor=` (page size 1-500, default 100). */
export const PageQuery = z.strictObject({ limit: limitParam(500, 100), cursor: cursorParam });
export type PageQuery = z.output<typeof PageQuery>;

/** A list whose sort key is one text id (products, stations by id; tokens, devices after an id). */
export const idKey = z.tuple([z.string().min(1).max(256)]);

/** An offset query parameter kept for one release next to `cursor` (deprecated). */
export function deprecatedOffsetParam(what: string) {
  return z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000_000)
    .optional()
    .describe(`Deprecated (use cursor; removed in the next release): ${what} to skip. Not with cursor.`)
    .meta({ deprecated: true });
}

/**
 * One page of a list ordered by (something ending in) its items' unique id: reads `limit + 1` rows
 * after the cursor's id and cuts the page. Without a query (an in-process caller such as the admin
 * CLI): every row, as one page.
 *
 * @throws AppError CURSOR_INVALID.
 */
export async function pageById<T extends { readonly id: string }>(
  list: string,
  query: { readonly limit: number; readonly cursor?: string | undefined } | undefined,
  read: (page: { limit?: number; after?: string | undefined }) => Promise<T[]>,
): Promise<CursorPage<T>> {
  if (query === undefined) return { items: await read({}), nextCursor: null };
  const after = query.cursor === undefined ? undefined : decodeCursor(list, query.cursor, idKey)[0];
  const rows = await read({ limit: query.limit + 1, after });
  return cursorPage(list, rows, query.limit, (row) => [row.id]);
}

/** Refinement of a list query keeping a deprecated offset: `cursor` and `offset` exclude each other. */
export function notBothCursorAndOffset(
  query: { readonly cursor?: unknown; readonly offset?: unknown },
  context: z.RefinementCtx,
): void {
  if (query.cursor !== undefined && query.offset !== undefined) {
    context.addIssue({ code: 'custom', path: ['offset'], message: 'give cursor or offset (deprecated), not both' });
  }
}
