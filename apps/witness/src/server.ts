import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Witness, WitnessAnswer } from './witness.js';

/** Largest add-checkpoint body accepted: 63 proof lines and a note with a few dozen signatures. */
export const MAX_BODY_BYTES = 64 * 1024;

const plain = (status: number, body: string): WitnessAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: `${body}\n`,
});

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function route(witness: Witness, request: IncomingMessage): Promise<WitnessAnswer> {
  const path = new URL(request.url ?? '/', 'http://witness').pathname;
  if (path === '/add-checkpoint') {
    if (request.method !== 'POST') return plain(405, 'add-checkpoint takes POST');
    const body = await readBody(request);
    if (body === undefined) return plain(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    return witness.addCheckpoint(body);
  }
  const monitoring = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path);
  if (monitoring?.[1] !== undefined && request.method === 'GET') return witness.latestCheckpoint(monitoring[1]);
  return plain(404, 'not found');
}

function send(response: ServerResponse, answer: WitnessAnswer): void {
  response.writeHead(answer.status, {
    'content-type': answer.contentType,
    'content-length': Buffer.byteLength(answer.body),
  });
  response.end(answer.body);
}

/**
 * The witness's HTTP interface (c2sp.org/tlog-witness): `POST /add-checkpoint` and the monitoring
 * `GET /<origin hash>/checkpoint`. An unexpected failure (the state file cannot be written)
 * answers 500 without cosigning and is reported through `onFailure`.
 */
export function createWitnessServer(witness: Witness, onFailure: (error: unknown) => void): Server {
  return createServer((request, response) => {
    route(witness, request).then(
      (answer) => send(response, answer),
      (error: unknown) => {
        onFailure(error);
        send(response, plain(500, 'the witness could not record the checkpoint; nothing was cosigned'));
      },
    );
  });
}
