import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { answerClientError, answerConnectRequest } from './framework-errors.js';

function fakeSocket(destroyed = false) {
  const written: string[] = [];
  let destroyedWith: unknown;
  const socket = {
    destroyed,
    writable: true,
    write: (text: string) => written.push(text),
    destroy: (error: unknown) => (destroyedWith = error),
  };
  return { socket: socket as unknown as Socket, written, destroyedWith: () => destroyedWith };
}

function clientError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`parse error ${code}`), { code });
}

describe('answerClientError', () => {
  for (const [code, status, problemCode] of [
    ['HPE_INVALID_HEADER_TOKEN', 400, 'BAD_REQUEST'],
    ['HPE_HEADER_OVERFLOW', 431, 'REQUEST_HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
  ] as const) {
    test(`${code} → ${status} problem+json, then the connection closes`, () => {
      const { socket, written, destroyedWith } = fakeSocket();
      const error = clientError(code);
      answerClientError(error, socket);
      const [head = '', body = ''] = (written[0] ?? '').split('\r\n\r\n');
      assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `));
      assert.match(head, /\r\nContent-Type: application\/problem\+json\r\n/);
      assert.match(head, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`));
      const problem = JSON.parse(body) as Record<string, unknown>;
      assert.equal(problem['status'], status);
      assert.equal(problem['code'], problemCode);
      assert.match(head, new RegExp(`\r\nx-request-id: ${String(problem['correlationId'])}\r\n`));
      assert.equal(destroyedWith(), error);
    });
  }

  test('a reset or destroyed connection gets nothing written', () => {
    const reset = fakeSocket();
    answerClientError(clientError('ECONNRESET'), reset.socket);
    const gone = fakeSocket(true);
    answerClientError(clientError('HPE_INVALID_METHOD'), gone.socket);
    assert.deepEqual([reset.written, gone.written], [[], []]);
  });
});

describe('answerConnectRequest', () => {
  test('CONNECT → 405 METHOD_NOT_ALLOWED problem+json with Allow, then the connection closes', () => {
    const { socket, written, destroyedWith } = fakeSocket();
    answerConnectRequest({} as IncomingMessage, socket);
    const [head = '', body = ''] = (written[0] ?? '').split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    assert.match(head, /\r\nContent-Type: application\/problem\+json\r\n/);
    assert.match(head, /\r\nAllow: GET, POST, DELETE\r\n/);
    const problem = JSON.parse(body) as Record<string, unknown>;
    assert.equal(problem['code'], 'METHOD_NOT_ALLOWED');
    assert.equal(problem['status'], 405);
    assert.equal(destroyedWith(), undefined);
  });
});
