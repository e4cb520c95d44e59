import { HASH_SIZE_BYTES } from './hashing.js';
import { WitnessError } from './witness-errors.js';

/** c2sp.org/tlog-witness "add-checkpoint": the client MUST NOT send more than 63 proof lines. */
export const MAX_PROOF_LINES = 63;
/** Content type of a 409 answer's body: the witness's latest cosigned size (c2sp.org/tlog-witness). */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

/** The parsed body of `POST <prefix>/add-checkpoint`. */
export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note (text, blank line, signature lines). */
  readonly note: string;
}

function malformed(message: string): never {
  throw new WitnessError('WITNESS_REQUEST_MALFORMED', message);
}

/** `old <size>\n`, one base64 hash per line, `\n`, then the note (c2sp.org/tlog-witness). */
export function formatAddCheckpointRequest(request: AddCheckpointRequest): string {
  const proofLines = request.proof.map((hash) => `${Buffer.from(hash).toString('base64')}\n`).join('');
  return `old ${request.oldSize}\n${proofLines}\n${request.note}`;
}

function parseSize(text: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) malformed('the old size is not a canonical decimal');
  const size = Number(text);
  if (!Number.isSafeInteger(size)) malformed('the old size is too large');
  return size;
}

function parseHash(line: string): Uint8Array {
  const hash = Buffer.from(line, 'base64');
  if (hash.length !== HASH_SIZE_BYTES || hash.toString('base64') !== line) {
    malformed('a consistency proof line is not the standard base64 of 32 bytes');
  }
  return new Uint8Array(hash);
}

/**
 * Parses an add-checkpoint request body. Throws WITNESS_REQUEST_MALFORMED naming the part that
 * is wrong (size line, proof line, count, missing blank line). Does not parse the note itself.
 */
export function parseAddCheckpointRequest(body: string): AddCheckpointRequest {
  const blank = body.indexOf('\n\n');
  if (blank < 0) malformed('no blank line between the proof and the checkpoint');
  const head = body.slice(0, blank).split('\n');
  const [sizeLine, ...proofLines] = head;
  if (sizeLine === undefined || !sizeLine.startsWith('old ')) malformed('the first line is not "old <size>"');
  if (proofLines.length > MAX_PROOF_LINES) malformed(`more than ${MAX_PROOF_LINES} consistency proof lines`);
  return { oldSize: parseSize(sizeLine.slice(4)), proof: proofLines.map(parseHash), note: body.slice(blank + 2) };
}

/** Parses a 409 answer's body (`<size>\n`); WITNESS_REQUEST_MALFORMED otherwise. */
export function parseTlogSize(body: string): number {
  if (!body.endsWith('\n')) malformed('the size answer does not end in a newline');
  return parseSize(body.slice(0, -1));
}
