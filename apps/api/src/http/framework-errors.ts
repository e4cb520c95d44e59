// Errors Fastify answers before any hook, route or Nest filter runs. Without these handlers they
// would go out in Fastify's own `application/json` shape; with them every error is a problem.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { REQUEST_ID_HEADER } from './correlation-id.js';
import { PROBLEM_MEDIA_TYPE, problemFromError } from './problem-details.js';
import { sendProblem } from './send-problem.js';

/**
 * Fastify's `frameworkErrors`: the router's own refusals (FST_ERR_BAD_URL: a malformed
 * percent-encoding, 400; FST_ERR_MAX_PARAM_LENGTH: an over-long path parameter, 414) as problems.
 * No hook has run, so the correlation id header is set here.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header(REQUEST_ID_HEADER, request.id);
  sendProblem(request, reply, error);
}

/** The problem for a request Node's HTTP parser refused (no request object exists). */
function clientErrorProblem(error: NodeJS.ErrnoException): AppError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new AppError('REQUEST_TIMEOUT', 'the request was not received in time');
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new AppError('REQUEST_HEADERS_TOO_LARGE', 'the request headers exceed the size limit');
  }
  return new AppError('BAD_REQUEST', 'the request is not valid HTTP/1.1');
}

/** Writes `error` as a complete problem answer on a bare socket (no request object, no Fastify reply). */
function writeProblem(socket: Duplex, error: AppError): void {
  const correlationId = randomUUID();
  const { problem, headers } = problemFromError(error, correlationId);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const body = JSON.stringify(problem);
  socket.write(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
      `Content-Type: ${PROBLEM_MEDIA_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}` +
      `${REQUEST_ID_HEADER}: ${correlationId}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The server's `clientErrorHandler`: a request Node's HTTP parser refused (bad header, bad
 * Content-Length, headers too large, timeout) answered as a problem, then the connection closed —
 * what Fastify's default handler does, in the API's error format. Never echoes the request.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) writeProblem(socket, clientErrorProblem(error));
  socket.destroy(error);
}

/**
 * The server's `connect` listener: a CONNECT request never reaches Fastify, and without a listener
 * Node closes the connection without a word. The API is no proxy: 405 as a problem, then close.
 */
export function answerConnectRequest(_request: IncomingMessage, socket: Duplex): void {
  if (socket.writable) {
    writeProblem(
      socket,
      new AppError('METHOD_NOT_ALLOWED', 'CONNECT is not served: the API is not a proxy', {
        headers: { Allow: 'GET, POST, DELETE' },
      }),
    );
  }
  socket.destroy();
}
