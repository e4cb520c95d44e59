// Requests no HTTP client would send (bad framing, bad request lines, conflicting lengths, CONNECT),
// written on a socket as bytes (testkit/raw-http.ts): Node's parser refuses most before Fastify
// sees them, and the API's clientErrorHandler must still answer with a problem.
import type { Prng } from './prng.js';

/** Raw requests; each asks for `Connection: close` so the answer ends with the socket. */
export function rawRequest(prng: Prng, token: string): string {
  const auth = `Authorization: Bearer ${token}\r\n`;
  return prng.pick([
    'GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    'GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n',
    'GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab',
    'POST /v1/devices HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    `POST /v1/devices HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\nIdempotency-Key: raw-1\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    'GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n',
    'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Fuzz: a\u0000b\r\nConnection: close\r\n\r\n',
    'GET /health/live HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n',
    'FUZZ /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET  /health/live  HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET /health/live\r\n\r\n',
    'GET /v1/devices/\u00ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    `GET /health/live HTTP/1.1\r\nHost: x\r\n${'X-Many: 1\r\n'.repeat(3_000)}Connection: close\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    `GET /v1/products HTTP/1.1\r\nHost: x\r\n${auth}${auth}Connection: close\r\n\r\n`,
    `POST /v1/products HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    'GET /health/live HTTP/1.0\r\n\r\n',
    'GET http://evil.example/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  ]);
}
