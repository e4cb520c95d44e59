import { Injectable } from '@nestjs/common';
import { type AddCheckpointRequest, formatAddCheckpointRequest } from '#ingrain/crypto';

/** A witness's answer to add-checkpoint, as received. */
export interface WitnessResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Largest witness answer read: a few signature lines (or a size). */
const MAX_ANSWER_CHARS = 64 * 1024;

/**
 * The HTTP adapter to c2sp.org/tlog-witness witnesses: `POST <url>/add-checkpoint`. No policy:
 * the caller decides what an answer means. Network failures and timeouts reject.
 */
@Injectable()
export class WitnessClient {
  async addCheckpoint(url: string, request: AddCheckpointRequest, timeoutMs: number): Promise<WitnessResponse> {
    const response = await fetch(`${url}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: formatAddCheckpointRequest(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: body.slice(0, MAX_ANSWER_CHARS),
    };
  }
}
