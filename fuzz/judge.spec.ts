import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readOpenApiOperations, type OpenApiOperation } from '../testkit/openapi-operations.js';
import { CLOSED_WITHOUT_ANSWER } from '../testkit/raw-http.js';
import { judge } from './judge.js';
import type { FuzzAnswer } from './send.js';

const operations = readOpenApiOperations();
const operation = (id: string): OpenApiOperation => {
  const found = operations.find((candidate) => candidate.operationId === id);
  assert.ok(found, id);
  return found;
};

const PROBLEM = {
  type: 'urn:ingrain:problem:VALIDATION_FAILED',
  title: 'Invalid request',
  status: 400,
  detail: 'the request body is invalid (1 issue)',
  code: 'VALIDATION_FAILED',
  errors: [{ path: 'body.chipUid', message: 'Required' }],
  correlationId: 'c0ffee',
};

function answer(status: number, contentType: string, body: unknown): FuzzAnswer {
  return { status, contentType, body: typeof body === 'string' ? body : JSON.stringify(body), durationMs: 1 };
}

void describe('fuzz judge', () => {
  test('a 500 is a server error, whatever its body', () => {
    const problem = { ...PROBLEM, status: 500, code: 'INTERNAL_ERROR' };
    const finding = judge(operation('devicesClaim'), answer(500, 'application/problem+json', problem));
    assert.equal(finding?.kind, 'server-error');
    assert.equal(judge(undefined, answer(502, 'text/html', '<h1>bad gateway</h1>'))?.kind, 'server-error');
  });

  test('a documented 5xx (503 not ready) is judged by its schema, not refused', () => {
    const ready = operation('healthReady');
    const schema = ready.responses['503']?.schema;
    assert.ok(schema, 'healthReady documents 503');
    assert.equal(judge(ready, answer(503, 'application/json', '"not json"'))?.kind, 'bad-2xx');
  });

  test('a 4xx must be application/problem+json with the problem members and its own status', () => {
    const claim = operation('devicesClaim');
    assert.equal(judge(claim, answer(400, 'application/problem+json; charset=utf-8', PROBLEM)), undefined);
    assert.equal(judge(claim, answer(400, 'application/json; charset=utf-8', PROBLEM))?.kind, 'not-problem');
    assert.equal(judge(claim, answer(415, 'text/plain', 'Unsupported Media Type'))?.kind, 'not-problem');
    const fastify = { statusCode: 400, error: 'Bad Request', message: 'Body cannot be empty' };
    assert.equal(judge(claim, answer(400, 'application/problem+json', fastify))?.kind, 'not-problem');
    assert.equal(judge(claim, answer(404, 'application/problem+json', PROBLEM))?.kind, 'not-problem');
    assert.equal(judge(claim, answer(400, 'application/problem+json', '{"truncated'))?.kind, 'not-problem');
    assert.equal(judge(claim, answer(404, 'application/problem+json', ''), 'HEAD'), undefined);
    assert.equal(judge(claim, answer(404, 'application/json', ''), 'HEAD')?.kind, 'not-problem');
  });

  test('a 2xx must be a documented status with a body its schema accepts', () => {
    const get = operation('devicesGet');
    assert.equal(judge(get, answer(200, 'application/json', { id: 42 }))?.kind, 'bad-2xx');
    assert.equal(judge(get, answer(201, 'application/json', {}))?.kind, 'bad-2xx');
    assert.equal(judge(undefined, answer(200, 'application/json', {}))?.kind, 'bad-2xx');
    const live = operation('healthLive');
    const schema = live.responses['200']?.schema;
    assert.ok(schema);
    assert.equal(judge(live, answer(200, 'application/json', { status: 'ok' })), undefined);
    assert.equal(judge(live, answer(200, 'application/json', ''), 'HEAD'), undefined);
    assert.equal(judge(undefined, answer(200, 'application/json', ''), 'HEAD')?.kind, 'bad-2xx');
  });

  test('no answer in time, or a hang-up without an answer, is a finding; a reset connection is not', () => {
    assert.equal(judge(undefined, { error: 'timeout after 100 ms', durationMs: 100 })?.kind, 'timeout');
    assert.equal(judge(undefined, { error: CLOSED_WITHOUT_ANSWER, durationMs: 1 })?.kind, 'no-answer');
    assert.equal(judge(undefined, { error: 'ECONNRESET', durationMs: 1 }), undefined);
  });
});
