import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sortDocument } from './sort-document.js';

describe('sortDocument', () => {
  test('sorts keys at every depth, required lists and parameters; keeps other arrays', () => {
    const document = {
      paths: {
        '/b': {
          get: {
            parameters: [
              { in: 'query', name: 'z' },
              { in: 'path', name: 'id' },
              { in: 'query', name: 'a' },
            ],
          },
        },
        '/a': { post: { responses: { '201': {}, '400': {} } } },
      },
      components: { schemas: { B: { required: ['y', 'x'], enum: ['second', 'first'] }, A: { type: 'object' } } },
      openapi: '3.1.0',
    };
    const sorted = sortDocument(document);
    assert.equal(
      JSON.stringify(sorted),
      JSON.stringify({
        components: { schemas: { A: { type: 'object' }, B: { enum: ['second', 'first'], required: ['x', 'y'] } } },
        openapi: '3.1.0',
        paths: {
          '/a': { post: { responses: { '201': {}, '400': {} } } },
          '/b': {
            get: {
              parameters: [
                { in: 'path', name: 'id' },
                { in: 'query', name: 'a' },
                { in: 'query', name: 'z' },
              ],
            },
          },
        },
      }),
    );
  });
});
