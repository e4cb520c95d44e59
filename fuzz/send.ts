// One request over a keep-alive loopback connection (node:http: raw bytes in, raw bytes out — no
// client library that would fix up a malformed request before it leaves).
import { Agent, request } from 'node:http';
import type { HttpAnswer, NoAnswer } from '../testkit/raw-http.js';
import type { FuzzRequest } from './cases.js';

export type FuzzAnswer = HttpAnswer;

/** The request never got an answer: refused by Node's client before sending, reset, closed, or too slow. */
export type FuzzNoAnswer = NoAnswer;

/** At most this much of an answer is kept (the judge needs the problem document, not a whole list). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function newAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency });
}

export function send(
  port: number,
  agent: Agent,
  fuzz: FuzzRequest,
  timeoutMs: number,
): Promise<FuzzAnswer | FuzzNoAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: FuzzAnswer | FuzzNoAnswer) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    try {
      const headers: Record<string, string | number> = { ...fuzz.headers };
      if (fuzz.body !== undefined) headers['content-length'] = fuzz.body.length;
      const outgoing = request(
        { host: '127.0.0.1', port, method: fuzz.method, path: fuzz.target, headers, agent },
        (incoming) => {
          const chunks: Buffer[] = [];
          let size = 0;
          incoming.on('data', (chunk: Buffer) => {
            if (size < MAX_BODY_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          incoming.on('end', () =>
            finish({
              status: incoming.statusCode ?? 0,
              contentType: String(incoming.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
              durationMs: elapsed(),
            }),
          );
          incoming.on('error', (error) => finish({ error: `response: ${error.message}`, durationMs: elapsed() }));
        },
      );
      outgoing.setTimeout(timeoutMs, () => {
        finish({ error: `timeout after ${timeoutMs} ms`, durationMs: elapsed() });
        outgoing.destroy();
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        finish({ error: error.code ?? error.message, durationMs: elapsed() }),
      );
      outgoing.end(fuzz.body);
    } catch (error) {
      // Node's client refuses some targets and header values outright (ERR_UNESCAPED_CHARACTERS,
      // ERR_INVALID_CHAR): nothing was sent.
      finish({ error: `not sent: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, durationMs: elapsed() });
    }
  });
}

export function isAnswer(result: FuzzAnswer | FuzzNoAnswer): result is FuzzAnswer {
  return 'status' in result;
}
