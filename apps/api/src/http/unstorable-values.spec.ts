import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unstorableValueIssues as nulIssues } from './unstorable-values.js';

describe('unstorableValueIssues', () => {
  test('names each string holding U+0000 and each object whose keys do, never the value', () => {
    const body = { name: 'a\u0000b', inputs: { 'cal\u0000': 1, ok: ['x', 'y\u0000'] }, clean: 'z' };
    assert.deepEqual(nulIssues(body, 'body'), [
      { path: 'body.name', message: 'must not contain U+0000 (NUL)' },
      { path: 'body.inputs', message: 'a key must not contain U+0000 (NUL)' },
      { path: 'body.inputs.ok[1]', message: 'must not contain U+0000 (NUL)' },
    ]);
    assert.deepEqual(nulIssues('id\u0000', 'path.id'), [{ path: 'path.id', message: 'must not contain U+0000 (NUL)' }]);
  });

  test('names each number JSON.parse made infinite (1e400), never the value', () => {
    const body = JSON.parse('{"inputs":{"gain":1e400,"ok":1.5e308},"list":[-1e400]}') as unknown;
    const message = 'must be a finite number (a JSON number beyond ±1.8e308 is not)';
    assert.deepEqual(nulIssues(body, 'body'), [
      { path: 'body.inputs.gain', message },
      { path: 'body.list[0]', message },
    ]);
  });

  test('clean values, numbers and nulls pass; deep nesting does not overflow the stack', () => {
    assert.deepEqual(nulIssues({ a: [1, null, true, 'text'], b: {} }, 'body'), []);
    let deep: unknown = 'end\u0000';
    for (let level = 0; level < 100_000; level++) deep = [deep];
    assert.equal(nulIssues(deep, 'body').length, 1);
  });
});
