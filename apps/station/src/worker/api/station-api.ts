import { type KeyObject, randomUUID } from 'node:crypto';
import { createIngrainClient, type components, type IngrainClient } from '#ingrain/api-client';
import { DEVICE_STATES, type DeviceState, type StationHeartbeatBody, type StationReportBody } from '#ingrain/contracts';
import { CHIP_FAMILIES, type ByteRange, type ChipFamily } from '#ingrain/otp';
import { z } from 'zod';
import { StationApiError } from '../errors.js';
import { describeTlsFailure, type ApiFetch } from './tls-agent.js';
import { openClaimedImage, type UnopenedReason } from './claimed-secrets.js';

type Schemas = components['schemas'];

// Compile-time guard: the contract's device states are exactly those of the generated client.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameDeviceStates: Same<DeviceState, Schemas['DeviceState']> = true;
void _sameDeviceStates;

const VERDICTS = [
  'provisioned',
  'quarantined',
  'retry',
] as const satisfies readonly Schemas['ProvisioningResult']['verdict'][];

/** The intended image of a claimed device, SECRET BYTES INCLUDED: memory only, never logged or stored. */
export interface ClaimedImage {
  readonly family: ChipFamily;
  /** Every data byte, the opened secrets merged in. */
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
  | { readonly kind: 'not-claimable'; readonly state: DeviceState }
  /**
   * Claimed, but its sealed secrets do not open with this station's key and the binding it expects
   * (docs/sealing.md): nothing may be written. The device stays bound to the chip at the API.
   */
  | { readonly kind: 'secrets-unopened'; readonly reason: UnopenedReason };

/** The device a chip is bound to (GET /v1/bindings/{chipUid}). */
export interface ChipBinding {
  readonly deviceId: string;
  readonly state: DeviceState;
}

/** The station a token is bound to (GET /v1/stations/me). */
export interface StationIdentity {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  /** The fingerprint of the sealing public key registered for it; null: none registered. */
  readonly sealingKeyFingerprint: string | null;
}

/** What opens this station's claims: its own id and its sealing private key (docs/sealing.md). */
export interface StationSealing {
  readonly stationId: string;
  readonly privateKey: KeyObject;
}

/** The API's verdict on a report. */
export interface ReportVerdict {
  readonly verdict: (typeof VERDICTS)[number];
}

export interface StationApiOptions {
  /** e.g. http://127.0.0.1:8080 (a trailing slash is ignored). */
  readonly baseUrl: string;
  /** The station's token (sent as a bearer token; never logged). */
  readonly token: string;
  /** Per request, answer body included. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** The TLS-configured fetch (tls-agent.ts `apiFetchFor`); default the global fetch. */
  readonly fetch?: ApiFetch;
  /** Opens the claims' sealed secrets. */
  readonly sealing: StationSealing;
}

// What the worker relies on is checked at run time even though the client types it: the generated
// types say what the API promises, these say what this station can work with (a version mismatch
// must stop the job, not program a chip with a half-understood image).
const hex = z.string().regex(/^(?:[0-9a-fA-F]{2})*$/);
const claimSchema = z
  .object({
    claimId: z.string(),
    layout: z.object({ digestSha256: hex }),
    image: z.object({
      family: z.enum(CHIP_FAMILIES),
      dataHex: hex,
      lockedBlocks: z.array(z.int().min(0)),
    }),
    secretRanges: z.array(z.object({ offsetBytes: z.int().min(0), lengthBytes: z.int().min(1) })),
    // Checked by libs/crypto's parseStationSealedEnvelope when it is opened.
    sealedSecrets: z.unknown(),
  })
  .refine(
    ({ image, secretRanges }) =>
      secretRanges.every((range) => range.offsetBytes + range.lengthBytes <= image.dataHex.length / 2),
    { message: 'a secret range lies outside the image', path: ['secretRanges'] },
  );
const bindingSchema = z.object({ deviceId: z.string().min(1), state: z.enum(DEVICE_STATES) });
const verdictSchema = z.object({ verdict: z.enum(VERDICTS) });
const heartbeatAckSchema = z.object({ stored: z.boolean() });
const stationSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  line: z.string().min(1),
  sealingKeyFingerprint: z.string().nullable(),
});
/** The problem members the adapter reads (RFC 9457 extension members of the 409s). */
const problemSchema = z.object({
  code: z.string().optional(),
  deviceId: z.string().optional(),
  state: z.enum(DEVICE_STATES).optional(),
});
type Problem = z.output<typeof problemSchema>;

/** What a generated-client call resolves to (openapi-fetch), reduced to what the adapter reads. */
interface Answer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/**
 * The station's side of the API, on the generated client (an adapter: it maps HTTP to typed
 * outcomes and decides nothing). Network failures, timeouts, 408, 429 and 5xx throw
 * `StationApiError` `STATION_API_UNREACHABLE` (transient); other refusals `STATION_API_REJECTED`
 * with the API's problem code; answers the station cannot use `STATION_API_INVALID_RESPONSE`.
 * Bodies are never put in messages or causes: a claim carries secrets.
 */
export class StationApi {
  readonly #client: IngrainClient;
  readonly #timeoutMs: number;
  readonly #sealing: StationSealing;

  constructor(options: StationApiOptions) {
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#timeoutMs = timeoutMs;
    this.#sealing = options.sealing;
    this.#client = createIngrainClient({
      baseUrl: options.baseUrl,
      token: options.token,
      // The signal also bounds reading the body, which openapi-fetch does after fetch resolves.
      fetch: (request) => (options.fetch ?? fetch)(request, { signal: AbortSignal.timeout(timeoutMs) }),
    });
  }

  /** The station the token is bound to: the start-up check of the station's credentials. */
  async whoAmI(): Promise<StationIdentity> {
    const what = 'station lookup';
    const answer = await this.#call(what, () => this.#client.GET('/v1/stations/me'));
    if (answer.response.ok) {
      const { id, name, line, sealingKeyFingerprint } = parse(stationSchema, answer.data, what, answer.response.status);
      return { id, name, line, sealingKeyFingerprint };
    }
    throw unexpected(answer, what);
  }

  /**
   * Binds `chipUid` (the UID this station read from the chip) to the device and returns the
   * intended image, its sealed secrets opened with this station's key and the binding it expects:
   * its own station id, `deviceId`, `chipUid` and a claim id drawn fresh for this request.
   */
  async claim(deviceId: string, chipUid: string): Promise<ClaimOutcome> {
    const what = `claim of device ${deviceId}`;
    const claimId = randomUUID();
    const answer = await this.#call(what, () =>
      this.#client.POST('/v1/devices/{id}/claim', {
        params: { path: { id: deviceId } },
        body: { chipUid, claimId },
      }),
    );
    if (answer.response.ok) {
      const claim = parse(claimSchema, answer.data, what, answer.response.status);
      const { family, lockedBlocks } = claim.image;
      const binding = { deviceId, chipUid, claimId, stationId: this.#sealing.stationId };
      const opened = openClaimedImage(
        { dataHex: claim.image.dataHex, secretRanges: claim.secretRanges, sealedSecrets: claim.sealedSecrets },
        this.#sealing.privateKey,
        binding,
      );
      if (!opened.opened) return { kind: 'secrets-unopened', reason: opened.reason };
      return {
        kind: 'claimed',
        image: { family, dataHex: opened.dataHex, lockedBlocks, secretRanges: claim.secretRanges },
        layoutDigest: claim.layout.digestSha256,
      };
    }
    const problem = answer.response.status === 409 ? parse(problemSchema, answer.error, what, 409) : undefined;
    const outcome = problem === undefined ? undefined : claimRefusal(problem);
    if (outcome !== undefined) return outcome;
    throw unexpected(answer, what);
  }

  /** The device `chipUid` is bound to, or undefined when it is bound to none. */
  async bindingFor(chipUid: string): Promise<ChipBinding | undefined> {
    const what = 'binding lookup';
    const answer = await this.#call(what, () =>
      this.#client.GET('/v1/bindings/{chipUid}', { params: { path: { chipUid } } }),
    );
    if (answer.response.ok) return parse(bindingSchema, answer.data, what, answer.response.status);
    if (answer.response.status === 404 && problemOf(answer.error)?.code === 'BINDING_NOT_FOUND') return undefined;
    throw unexpected(answer, what);
  }

  /** Posts a cycle's report (secret bytes already zeroed) and returns the API's verdict. */
  async report(deviceId: string, report: StationReportBody): Promise<ReportVerdict> {
    const what = `report of device ${deviceId}`;
    const answer = await this.#call(what, () =>
      this.#client.POST('/v1/devices/{id}/result', { params: { path: { id: deviceId } }, body: report }),
    );
    if (answer.response.ok) return parse(verdictSchema, answer.data, what, answer.response.status);
    throw unexpected(answer, what);
  }

  /** Sends the station's heartbeat; resolves whether the API stored it (false: a newer one was). */
  async heartbeat(body: StationHeartbeatBody): Promise<{ readonly stored: boolean }> {
    const what = 'heartbeat';
    const answer = await this.#call(what, () => this.#client.POST('/v1/stations/me/heartbeat', { body }));
    if (answer.response.ok) return parse(heartbeatAckSchema, answer.data, what, answer.response.status);
    throw unexpected(answer, what);
  }

  /** Runs one client call; a request that got no complete answer becomes a StationApiError. */
  async #call<T>(what: string, send: () => Promise<Answer<T>>): Promise<Answer<T>> {
    try {
      return await send();
    } catch (error) {
      // openapi-fetch parses a success body with JSON.parse: its SyntaxError quotes the body
      // (secrets, for a claim), so it is not kept as the cause.
      if (error instanceof SyntaxError) {
        throw new StationApiError(
          'STATION_API_INVALID_RESPONSE',
          `${what}: the API's answer is not JSON`,
          undefined,
          undefined,
        );
      }
      const tls = describeTlsFailure(error);
      if (tls !== undefined)
        throw new StationApiError('STATION_API_TLS_FAILED', `${what}: ${tls}`, undefined, undefined, { cause: error });
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.#timeoutMs} ms`
          : 'the API is unreachable';
      throw new StationApiError('STATION_API_UNREACHABLE', `${what}: ${reason}`, undefined, undefined, {
        cause: error,
      });
    }
  }
}

/** A 409 of the claim as an outcome, or undefined when it is not one the worker handles. */
function claimRefusal(problem: Problem): ClaimOutcome | undefined {
  if (problem.code === 'CHIP_ALREADY_BOUND' && problem.deviceId !== undefined)
    return { kind: 'chip-bound-to-other-device', deviceId: problem.deviceId };
  if (problem.code === 'IDENTITY_BOUND_ELSEWHERE') return { kind: 'identity-bound-elsewhere' };
  if (problem.code === 'DEVICE_STATE_CONFLICT' && problem.state !== undefined)
    return { kind: 'not-claimable', state: problem.state };
  return undefined;
}

/** The problem of an error answer, when it is a JSON object (a proxy's HTML page is not). */
function problemOf(body: unknown): Problem | undefined {
  const parsed = problemSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
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

function unexpected(answer: Answer<unknown>, what: string): StationApiError {
  const { status } = answer.response;
  const code = problemOf(answer.error)?.code;
  const transient = status >= 500 || status === 408 || status === 429;
  const detail = `${what}: HTTP ${status}${code === undefined ? '' : ` ${code}`}`;
  return new StationApiError(transient ? 'STATION_API_UNREACHABLE' : 'STATION_API_REJECTED', detail, status, code);
}
