import { CHIP_FAMILIES, type ByteRange, type ChipFamily } from '#ingrain/otp';
import { z } from 'zod';
import { StationApiError } from './errors.js';
import { type StationReportBody } from './station-report.js';

/** Device states of the API (docs/api.md, "Device state machine"). */
export const DEVICE_STATES = ['queued', 'claimed', 'provisioned', 'quarantined', 'scrapped'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** The intended image of a claimed device, SECRET BYTES INCLUDED: memory only, never logged or stored. */
export interface ClaimedImage {
  readonly family: ChipFamily;
  readonly dataHex: string;
  readonly lockedBlocks: readonly number[];
  /** OTP ranges holding secrets: zeroed in the report, never logged. */
  readonly secretRanges: readonly ByteRange[];
}

/** What a claim came to (docs/api.md: POST /v1/devices/{id}/claim). */
export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly image: ClaimedImage; readonly layoutDigest: string }
  /** 409 CHIP_ALREADY_BOUND: this chip carries another device's identity: finish that one. */
  | { readonly kind: 'chip-bound-to-other-device'; readonly deviceId: string }
  /** 409 IDENTITY_BOUND_ELSEWHERE: the identity is bound to another chip. */
  | { readonly kind: 'identity-bound-elsewhere' }
  /** 409 DEVICE_STATE_CONFLICT: the device is provisioned, quarantined or scrapped. */
  | { readonly kind: 'not-claimable'; readonly state: DeviceState };

/** The device a chip is bound to (GET /v1/bindings/{chipUid}). */
export interface ChipBinding {
  readonly deviceId: string;
  readonly state: DeviceState;
}

/** The API's verdict on a report. */
export interface ReportVerdict {
  readonly verdict: 'provisioned' | 'quarantined' | 'retry';
}

export interface StationApiOptions {
  /** e.g. http://127.0.0.1:8080 (a trailing slash is ignored). */
  readonly baseUrl: string;
  /** The station's token (sent as a bearer token; never logged). */
  readonly token: string;
  /** Per request. Default 10 s. */
  readonly requestTimeoutMs?: number;
}

const hex = z.string().regex(/^(?:[0-9a-fA-F]{2})*$/);
const claimSchema = z.object({
  layout: z.object({ digestSha256: hex }),
  image: z.object({
    family: z.enum(CHIP_FAMILIES),
    dataHex: hex,
    lockedBlocks: z.array(z.int().min(0)),
  }),
  secretRanges: z.array(z.object({ offsetBytes: z.int().min(0), lengthBytes: z.int().min(1) })),
});
const bindingSchema = z.object({ deviceId: z.string().min(1), state: z.enum(DEVICE_STATES) });
const verdictSchema = z.object({ verdict: z.enum(['provisioned', 'quarantined', 'retry']) });
const problemSchema = z.object({
  code: z.string().optional(),
  deviceId: z.string().optional(),
  state: z.enum(DEVICE_STATES).optional(),
});

interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The station's side of the API (an adapter: it maps HTTP to typed outcomes and decides nothing).
 * Network failures, timeouts, 408, 429 and 5xx throw `StationApiError` `STATION_API_UNREACHABLE`
 * (transient); other unexpected answers `STATION_API_REJECTED`; unparseable bodies
 * `STATION_API_INVALID_RESPONSE`. Bodies are never put in messages: a claim carries secrets.
 */
export class StationApi {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(options: StationApiOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** Binds `chipUid` to the device and returns the intended image (secrets included). */
  async claim(deviceId: string, chipUid: string): Promise<ClaimOutcome> {
    const what = `claim of device ${deviceId}`;
    const answer = await this.#send('POST', `/v1/devices/${encodeURIComponent(deviceId)}/claim`, { chipUid }, what);
    if (answer.status === 200 || answer.status === 201) {
      const claim = parse(claimSchema, answer.body, what, answer.status);
      const { family, dataHex, lockedBlocks } = claim.image;
      return {
        kind: 'claimed',
        image: { family, dataHex, lockedBlocks, secretRanges: claim.secretRanges },
        layoutDigest: claim.layout.digestSha256,
      };
    }
    const problem = answer.status === 409 ? parse(problemSchema, answer.body, what, 409) : undefined;
    if (problem?.code === 'CHIP_ALREADY_BOUND' && problem.deviceId !== undefined)
      return { kind: 'chip-bound-to-other-device', deviceId: problem.deviceId };
    if (problem?.code === 'IDENTITY_BOUND_ELSEWHERE') return { kind: 'identity-bound-elsewhere' };
    if (problem?.code === 'DEVICE_STATE_CONFLICT' && problem.state !== undefined)
      return { kind: 'not-claimable', state: problem.state };
    throw unexpected(answer, what);
  }

  /** The device `chipUid` is bound to, or undefined when it is bound to none. */
  async bindingFor(chipUid: string): Promise<ChipBinding | undefined> {
    const what = 'binding lookup';
    const answer = await this.#send('GET', `/v1/bindings/${encodeURIComponent(chipUid)}`, undefined, what);
    if (answer.status === 200) return parse(bindingSchema, answer.body, what, 200);
    if (answer.status === 404 && problemCode(answer.body) === 'BINDING_NOT_FOUND') return undefined;
    throw unexpected(answer, what);
  }

  /** Posts a cycle's report (secret bytes already zeroed) and returns the API's verdict. */
  async report(deviceId: string, report: StationReportBody): Promise<ReportVerdict> {
    const what = `report of device ${deviceId}`;
    const answer = await this.#send('POST', `/v1/devices/${encodeURIComponent(deviceId)}/result`, report, what);
    if (answer.status === 200 || answer.status === 201) return parse(verdictSchema, answer.body, what, answer.status);
    throw unexpected(answer, what);
  }

  async #send(method: 'GET' | 'POST', path: string, body: unknown, what: string): Promise<HttpAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.#timeoutMs} ms`
          : 'the API is unreachable';
      throw new StationApiError('STATION_API_UNREACHABLE', `${what}: ${reason}`, undefined, undefined, {
        cause: error,
      });
    }
    const text = await response.text().catch(() => '');
    return { status: response.status, body: parseJson(text) };
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function problemCode(body: unknown): string | undefined {
  const parsed = problemSchema.safeParse(body);
  return parsed.success ? parsed.data.code : undefined;
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string, status: number): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const paths = [...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(body)'))];
  throw new StationApiError(
    'STATION_API_INVALID_RESPONSE',
    `${what}: the API's answer (HTTP ${status}) does not parse at ${paths.join(', ')}`,
    status,
    undefined,
  );
}

function unexpected(answer: HttpAnswer, what: string): StationApiError {
  const code = problemCode(answer.body);
  const transient = answer.status >= 500 || answer.status === 408 || answer.status === 429;
  const detail = `${what}: HTTP ${answer.status}${code === undefined ? '' : ` ${code}`}`;
  return new StationApiError(
    transient ? 'STATION_API_UNREACHABLE' : 'STATION_API_REJECTED',
    detail,
    answer.status,
    code,
  );
}
