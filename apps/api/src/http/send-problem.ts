import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_MEDIA_TYPE, problemFromError } from './problem-details.js';

/**
 * Answers `error` as an RFC 9457 problem on `reply` and logs it: a 5xx at error level with the
 * error (message, code, stack — never a request body or header), a 4xx at debug level with its code.
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const { problem, headers, internal } = problemFromError(error, request.id);
  if (internal) request.log.error({ err: error, code: problem.code }, 'request failed');
  else request.log.debug({ code: problem.code, status: problem.status }, 'request rejected');
  if (reply.sent) return;
  void reply.status(problem.status).headers(headers).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(problem));
}
