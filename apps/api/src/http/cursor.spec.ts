import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { cursorPage, decodeCursor, encodeCursor } from './cursor.js';

const key = z.tuple([z.string(), z.int()]);

function assertCursorInvalid(run: () => unknown): void {
  assert.throws(run, (error: { code?: string; errors?: { path: string }[] }) => {
    assert.equal(error.code, 'CURSOR_INVALID');
    assert.deepEqual(
      error.errors?.map((issue) => issue.path),
      ['query.cursor'],
    );
    return true;
  });
}

describe('cursor', () => {
  test('round trip: the key comes back; the cursor is base64url (URL-safe, no padding)', () => {
    const cursor = encodeCursor('things', ['2026-01-01T00:00:00.000001Z', 42]);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor('things', cursor, key), ['2026-01-01T00:00:00.000001Z', 42]);
  });

  test('a cursor of another list is CURSOR_INVALID naming query.cursor', () => {
    const cursor = encodeCursor('devices', ['a', 1]);
    assertCursorInvalid(() => decodeCursor('things', cursor, key));
  });

  test('malformed cursors are CURSOR_INVALID: not base64url, not JSON, wrong shape, wrong key types', () => {
    const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'not a cursor!',
      Buffer.from('{').toString('base64url'),
      raw([1, 2]),
      raw({ l: 'things' }),
      raw({ l: 'things', k: [] }),
      raw({ l: 'things', k: [1, 'a'] }),
      raw({ l: 'things', k: ['a', 1], extra: true }),
      'x'.repeat(600),
    ]) {
      assertCursorInvalid(() => decodeCursor('things', cursor, key));
    }
  });

  test('cursorPage: a cursor after the last item only when a row beyond the limit was read', () => {
    const rows = [1, 2, 3];
    const full = cursorPage('numbers', rows, 2, (n) => [n]);
    assert.deepEqual(full.items, [1, 2]);
    assert.deepEqual(decodeCursor('numbers', full.nextCursor ?? '', z.tuple([z.int()])), [2]);
    assert.deepEqual(
      cursorPage('numbers', rows, 3, (n) => [n]),
      { items: [1, 2, 3], nextCursor: null },
    );
    assert.deepEqual(
      cursorPage('numbers', [], 3, (n: number) => [n]),
      { items: [], nextCursor: null },
    );
  });
});
