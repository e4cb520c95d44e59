// An opaque list cursor (base64url of `{"p":<position>}`): the position of the last item shown.
// The shared cursor module (apps/api/src/http/cursor.ts) replaces this one when it lands.
import { z } from 'zod';

export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ p: position }), 'utf8').toString('base64url');
}

function decodeCursor(text: string): number | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { p?: unknown };
    return typeof value.p === 'number' && Number.isSafeInteger(value.p) && value.p >= 0 ? value.p : undefined;
  } catch {
    return undefined;
  }
}

/** `?cursor=`: the `nextCursor` of the previous page, parsed to its position. */
export const CursorParam = z
  .string()
  .max(200)
  .transform((text, context) => {
    const position = decodeCursor(text);
    if (position === undefined) {
      context.addIssue({ code: 'custom', message: 'not a cursor this list returned' });
      return z.NEVER;
    }
    return position;
  })
  .optional()
  .describe('The nextCursor of the previous page (opaque)');

export const LimitParam = z.coerce.number().int().min(1).max(100).default(50).describe('Page size (1-100, default 50)');
