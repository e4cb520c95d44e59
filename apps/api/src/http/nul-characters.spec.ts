import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nulIssues } from './nul-characters.js';

describe('nulIssues', () => {
  test('names each string holding U+0000 and each object whose keys do, never the value', () => {
    const body = { name: 'a\u0000b', inputs: { 'cal\u0000': 1, ok: ['x', 'y\u0000'] }, clean: 'z' };
    assert.deepEqual(nulIssues(body, 'body'), [
      { path: 'body.name', message: 'must not contain U+0000 (NUL)' },
      { path: 'body.inputs', message: 'a key must not contain U+0000 (NUL)' },
      { path: 'body.inputs.ok[1]', message: 'must not contain U+0000 (NUL)' },
    ]);
    assert.deepEqual(nulIssues('id\u0000', 'path.id'), [{ path: 'path.id', message: 'must not contain U+0000 (NUL)' }]);
  });

  test('clean values, numbers and nulls pass; deep nesting does not overflow the stack', () => {
    assert.deepEqual(nulIssues({ a: [1, null, true, 'text'], b: {} }, 'body'), []);
    let deep: unknown = 'end\u0000';
    for (let level = 0; level < 100_000; level++) deep = [deep];
    assert.equal(nulIssues(deep, 'body').length, 1);
  });
});
