// An HTTP/1.1 exchange written on a socket as bytes: for requests no client library would send
// (bad framing, bad request lines, CONNECT), shared by the fuzzer and the tests of what it found.
import { connect } from 'node:net';

/** An answer: status, Content-Type and body (UTF-8) as received. */
export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly durationMs: number;
}

/** No answer: refused before sending, reset, closed, or too slow. */
export interface NoAnswer {
  readonly error: string;
  readonly durationMs: number;
}

/** The error of an exchange the server ended without answering. */
export const CLOSED_WITHOUT_ANSWER = 'closed without an answer';

/** Writes `text` (latin1: one byte per character) and reads the answer until the server closes. */
export function sendRaw(port: number, text: string, timeoutMs: number): Promise<HttpAnswer | NoAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let settled = false;
    const finish = (result: HttpAnswer | NoAnswer) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish({ error: `timeout after ${timeoutMs} ms`, durationMs: elapsed() }));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const answer = parseAnswer(Buffer.concat(chunks), elapsed());
      finish(answer ?? { error: error.code ?? error.message, durationMs: elapsed() });
    });
    socket.on('end', () =>
      finish(parseAnswer(Buffer.concat(chunks), elapsed()) ?? { error: CLOSED_WITHOUT_ANSWER, durationMs: elapsed() }),
    );
    socket.write(Buffer.from(text, 'latin1'));
  });
}

/** The first answer in `bytes` (status, Content-Type, body by Content-Length), or undefined. */
export function parseAnswer(bytes: Buffer, durationMs: number): HttpAnswer | undefined {
  const text = bytes.toString('latin1');
  const headerEnd = text.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (headerEnd < 0 || status === null) return undefined;
  const head = text.slice(0, headerEnd);
  const contentType = /\r\ncontent-type: *([^\r\n]*)/i.exec(head)?.[1] ?? '';
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? Number.NaN);
  const rest = bytes.subarray(Buffer.byteLength(head, 'latin1') + 4);
  const body = (Number.isNaN(length) ? rest : rest.subarray(0, length)).toString('utf8');
  return { status: Number(status[1]), contentType, body, durationMs };
}
