// An in-memory stand-in for the API's station endpoints (stations/me, claim, bindings, result), for the worker's
// integration tests: the device state machine and binding rules of docs/api.md, over real HTTP.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { type DeviceState, splitClaimSecrets } from '#ingrain/contracts';
import { sealForStation, stationKeyFingerprint } from '#ingrain/crypto';
import { type ByteRange, type ChipFamily, getProfile, lockByteCount } from '#ingrain/otp';
import { bytesToHex } from '#ingrain/encoding';

/** An identity the fake API issued: the intended image, secret bytes included. */
export interface FakeIdentity {
  readonly family: ChipFamily;
  readonly data: Uint8Array;
  readonly lockedBlocks: readonly number[];
  readonly secretRanges: readonly ByteRange[];
}

export interface FakeDevice {
  readonly id: string;
  readonly identity: FakeIdentity;
  state: DeviceState;
  chipUid: string | null;
  /** Every report body received, in order (parsed JSON). */
  readonly reports: Record<string, unknown>[];
  /** Verdicts given, in order. */
  readonly verdicts: string[];
  claims: number;
}

export interface FakeStationApiOptions {
  readonly token: string;
  /** Checks a report body as the real API would (e.g. its parseStationReport); throw to refuse it (400). */
  readonly validateReport?: (body: unknown) => void;
  /**
   * Hold claim answers until this many claims wait at once (proves fixtures work in parallel);
   * gives up after `claimBarrierTimeoutMs` and records it in `barrierTimedOut`.
   */
  readonly claimBarrier?: number;
  readonly claimBarrierTimeoutMs?: number;
  /** The station the token belongs to (`GET /v1/stations/me`). Default `station-1` on `line-test`. */
  readonly station?: { readonly id: string; readonly name: string; readonly line: string };
  /**
   * The station's registered sealing public key (65 bytes): `stations/me` shows its fingerprint and
   * claims are sealed to it (see `sealTo`). Undefined: none registered (claims get 409
   * STATION_SEALING_KEY_MISSING).
   */
  readonly stationPublicKey?: Uint8Array;
}

/** A running fake API. */
export interface FakeStationApi {
  readonly url: string;
  readonly devices: Map<string, FakeDevice>;
  /** Requests by endpoint ('me', 'claim', 'binding', 'result', 'auth' for a bad token), including refused ones. */
  readonly requests: { endpoint: string; deviceId?: string; status: number }[];
  /** Every heartbeat body received (not in `requests`), in order. */
  readonly heartbeats: unknown[];
  barrierTimedOut: boolean;
  addDevice(id: string, identity: FakeIdentity): FakeDevice;
  /** While down, every connection is dropped (the API looks unreachable). */
  setDown(down: boolean): void;
  /** The key claims are sealed to: default `stationPublicKey`; set another to seal to another station. */
  sealTo: Uint8Array | undefined;
  /** Changes the binding a claim is sealed with (e.g. another claim id), as a faulty or hostile API would. */
  sealBinding: ((binding: SealBinding) => SealBinding) | undefined;
  /** Called when a claim arrives, before it is answered (e.g. to stop the station mid-job). */
  onClaim: ((deviceId: string) => void) | undefined;
  /** Called once a claim's answer has been sent. */
  afterClaim: ((deviceId: string) => void) | undefined;
  /** Called after a report was judged. */
  onReport: ((deviceId: string, verdict: string) => void) | undefined;
  /**
   * Answers a request (after the token check) with this status and problem code instead of the
   * endpoint's own answer, while it returns one (e.g. 401 AUTH_INVALID for a revoked token).
   */
  refuse: ((endpoint: string) => { readonly status: number; readonly code: string } | undefined) | undefined;
  close(): Promise<void>;
}

/** What a claim's secrets are bound to (docs/sealing.md). */
export interface SealBinding {
  readonly deviceId: string;
  readonly chipUid: string;
  readonly claimId: string;
  readonly stationId: string;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const problem = (status: number, code: string, extra: Record<string, unknown> = {}): Answer => ({
  status,
  body: {
    type: `urn:ingrain:problem:${code}`,
    title: code,
    status,
    detail: code,
    code,
    errors: [],
    correlationId: 'fake',
    ...extra,
  },
});

/** Starts the fake on a free localhost port. Always `close()` it. */
export async function startFakeStationApi(options: FakeStationApiOptions): Promise<FakeStationApi> {
  const sockets = new Set<Socket>();
  let down = false;
  const api: FakeStationApi = {
    url: '',
    devices: new Map(),
    requests: [],
    heartbeats: [],
    barrierTimedOut: false,
    sealTo: options.stationPublicKey,
    sealBinding: undefined,
    onClaim: undefined,
    afterClaim: undefined,
    onReport: undefined,
    refuse: undefined,
    addDevice(id, identity) {
      const device: FakeDevice = { id, identity, state: 'queued', chipUid: null, reports: [], verdicts: [], claims: 0 };
      this.devices.set(id, device);
      return device;
    },
    setDown(value) {
      down = value;
      if (value) for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const barrier = claimBarrier(options, api);
  const server = createServer((request, response) => {
    if (down) {
      request.socket.destroy();
      return;
    }
    void handle(api, options, barrier, request).then(
      (answer) => {
        send(response, answer);
        const claimed = /^\/v1\/devices\/([^/]+)\/claim$/.exec(request.url ?? '')?.[1];
        if (claimed !== undefined) response.once('finish', () => api.afterClaim?.(decodeURIComponent(claimed)));
      },
      () => send(response, problem(500, 'FAKE_INTERNAL')),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, { url: `http://127.0.0.1:${port}` });
}

/** Holds each claim until `claimBarrier` claims wait at once (or the deadline passes, recorded). */
function claimBarrier(options: FakeStationApiOptions, api: FakeStationApi): () => Promise<void> {
  const waiting: (() => void)[] = [];
  return async () => {
    if (options.claimBarrier === undefined || options.claimBarrier <= 1) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length >= (options.claimBarrier ?? 1)) waiting.splice(0).forEach((go) => go());
      timer = setTimeout(() => {
        api.barrierTimedOut = true;
        waiting.splice(0).forEach((go) => go());
      }, options.claimBarrierTimeoutMs ?? 10_000);
    });
    clearTimeout(timer);
  };
}

function send(response: ServerResponse, answer: Answer): void {
  if (response.destroyed) return;
  response.writeHead(answer.status, {
    'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json',
  });
  response.end(JSON.stringify(answer.body));
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

async function handle(
  api: FakeStationApi,
  options: FakeStationApiOptions,
  barrier: () => Promise<void>,
  request: IncomingMessage,
): Promise<Answer> {
  const url = request.url ?? '';
  const record = (endpoint: string, answer: Answer, deviceId?: string) => {
    api.requests.push({ endpoint, deviceId, status: answer.status });
    return answer;
  };
  if (request.headers.authorization !== `Bearer ${options.token}`) return record('auth', problem(401, 'AUTH_INVALID'));
  const body = await readBody(request);
  // Heartbeats are kept apart from `requests` and from `refuse` (they come on their own timer, in no fixed order).
  if (request.method === 'POST' && url === '/v1/stations/me/heartbeat') {
    api.heartbeats.push(body);
    return { status: 200, body: { stored: true, offlineAfterMs: 30_000 } };
  }
  const refusal = api.refuse?.(endpointOf(request.method, url));
  if (refusal !== undefined) return record(endpointOf(request.method, url), problem(refusal.status, refusal.code));
  if (request.method === 'GET' && url === '/v1/stations/me')
    return record('me', {
      status: 200,
      body: {
        createdAt: new Date(0).toISOString(),
        ...stationOf(options),
        sealingKeyFingerprint:
          options.stationPublicKey === undefined ? null : stationKeyFingerprint(options.stationPublicKey),
        sealingKeyRegisteredAt: options.stationPublicKey === undefined ? null : new Date(0).toISOString(),
      },
    });
  let match = /^\/v1\/devices\/([^/]+)\/claim$/.exec(url);
  if (request.method === 'POST' && match?.[1] !== undefined) {
    const deviceId = decodeURIComponent(match[1]);
    api.onClaim?.(deviceId);
    await barrier();
    return record('claim', claim(api, stationOf(options).id, deviceId, body), deviceId);
  }
  match = /^\/v1\/bindings\/([^/]+)$/.exec(url);
  if (request.method === 'GET' && match?.[1] !== undefined)
    return record('binding', binding(api, decodeURIComponent(match[1])));
  match = /^\/v1\/devices\/([^/]+)\/result$/.exec(url);
  if (request.method === 'POST' && match?.[1] !== undefined) {
    const deviceId = decodeURIComponent(match[1]);
    return record('result', result(api, options, deviceId, body), deviceId);
  }
  return record('unknown', problem(404, 'NOT_FOUND'));
}

/** The endpoint a request is for, as `requests` and `refuse` name it. */
function endpointOf(method: string | undefined, url: string): string {
  if (method === 'GET' && url === '/v1/stations/me') return 'me';
  if (method === 'POST' && /^\/v1\/devices\/[^/]+\/claim$/.test(url)) return 'claim';
  if (method === 'GET' && /^\/v1\/bindings\/[^/]+$/.test(url)) return 'binding';
  if (method === 'POST' && /^\/v1\/devices\/[^/]+\/result$/.test(url)) return 'result';
  return 'unknown';
}

function stationOf(options: FakeStationApiOptions): { id: string; name: string; line: string } {
  return options.station ?? { id: 'station-1', name: 'Station 1', line: 'line-test' };
}

function claim(api: FakeStationApi, stationId: string, deviceId: string, body: unknown): Answer {
  const sealTo = api.sealTo;
  if (sealTo === undefined) return problem(409, 'STATION_SEALING_KEY_MISSING', { stationId });
  const device = api.devices.get(deviceId);
  if (device === undefined) return problem(404, 'DEVICE_NOT_FOUND');
  const given = body as { chipUid?: unknown; claimId?: unknown } | undefined;
  const chipUid = typeof given?.chipUid === 'string' ? given.chipUid.toLowerCase() : '';
  const claimId = typeof given?.claimId === 'string' ? given.claimId : '';
  if (!/^(?:[0-9a-f]{2}){1,32}$/.test(chipUid) || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(claimId))
    return problem(400, 'VALIDATION_FAILED');
  if (device.state !== 'queued' && device.state !== 'claimed')
    return problem(409, 'DEVICE_STATE_CONFLICT', { state: device.state, action: 'claim' });
  // As the real API: the identity's own binding is checked before the chip's.
  if (device.state === 'claimed' && device.chipUid !== chipUid)
    return problem(409, 'IDENTITY_BOUND_ELSEWHERE', { deviceId });
  const holder = [...api.devices.values()].find((other) => other.chipUid === chipUid && other.id !== deviceId);
  if (holder !== undefined) return problem(409, 'CHIP_ALREADY_BOUND', { deviceId: holder.id });
  device.state = 'claimed';
  device.chipUid = chipUid;
  device.claims++;
  const { family, data, lockedBlocks, secretRanges } = device.identity;
  const { publicData, plaintext } = splitClaimSecrets(data, secretRanges);
  const binding = { deviceId, chipUid, claimId, stationId };
  const sealedSecrets = sealForStation({
    stationPublicKey: sealTo,
    plaintext,
    binding: api.sealBinding?.(binding) ?? binding,
  });
  return {
    status: 200,
    body: {
      deviceId,
      productId: 'fake-product',
      serial: `SN-${deviceId.slice(0, 8)}`,
      layoutVersion: 1,
      state: 'claimed',
      claimId,
      chipUid,
      stationId,
      jobId: deviceId,
      layout: { name: 'fake', version: 1, digestSha256: 'ab'.repeat(32) },
      image: {
        family,
        dataHex: bytesToHex(publicData),
        lockedBlocks,
        lockBytesHex: expectedLockHex(device.identity),
      },
      secretRanges: secretRanges.map((range, index) => ({ name: `secret_${index}`, ...range })),
      sealedSecrets,
    },
  };
}

function binding(api: FakeStationApi, chipUid: string): Answer {
  const device = [...api.devices.values()].find((d) => d.chipUid === chipUid.toLowerCase());
  if (device === undefined) return problem(404, 'BINDING_NOT_FOUND');
  return { status: 200, body: { deviceId: device.id, state: device.state } };
}

function result(api: FakeStationApi, options: FakeStationApiOptions, deviceId: string, body: unknown): Answer {
  const device = api.devices.get(deviceId);
  if (device === undefined) return problem(404, 'DEVICE_NOT_FOUND');
  try {
    options.validateReport?.(body);
  } catch {
    return problem(400, 'STATION_REPORT_INVALID');
  }
  const report = body as Record<string, unknown>;
  if (secretBytesPresent(device.identity, report)) return problem(422, 'REPORT_SECRET_BYTES_PRESENT');
  if (report['outcome'] === 'protected' && report['chipUid'] === null && device.state === 'queued') {
    // As the real API: a protected chip met before any claim is recorded; the device stays queued.
    device.reports.push(report);
    return { status: 200, body: { ...(verdictAnswer(device, 'retry').body as object), reason: 'chip-protected' } };
  }
  if (device.state !== 'claimed') {
    // As the real API: a report whose verdict is the one already recorded is answered again (a
    // re-delivered report, or a rerun's already-provisioned one); any other verdict is a conflict.
    const recorded = device.verdicts.at(-1);
    if (recorded === undefined || recorded === 'retry' || judge(device, report) !== recorded)
      return problem(409, 'DEVICE_STATE_CONFLICT', { state: device.state, action: 'report' });
    return verdictAnswer(device, recorded);
  }
  const verdict = judge(device, report);
  device.reports.push(report);
  device.verdicts.push(verdict);
  if (verdict !== 'retry') device.state = verdict === 'provisioned' ? 'provisioned' : 'quarantined';
  api.onReport?.(deviceId, verdict);
  return verdictAnswer(device, verdict);
}

function verdictAnswer(device: FakeDevice, verdict: string): Answer {
  return {
    status: 200,
    body: {
      deviceId: device.id,
      state: device.state,
      verdict,
      reason: verdict,
      diff: [],
      omittedDiffs: 0,
      attestation: null,
    },
  };
}

/** docs/api-domain.md, "Judging a station report" (without the diff). */
function judge(device: FakeDevice, report: Record<string, unknown>): string {
  if (report['outcome'] === 'link-error') return 'retry';
  if (report['outcome'] !== 'provisioned' && report['outcome'] !== 'already-provisioned') return 'quarantined';
  const identity = device.identity;
  const intended = Uint8Array.from(identity.data);
  for (const range of identity.secretRanges) intended.fill(0, range.offsetBytes, range.offsetBytes + range.lengthBytes);
  const equal =
    report['chipUid'] === device.chipUid &&
    report['family'] === identity.family &&
    report['otpData'] === bytesToHex(intended) &&
    report['lockBytes'] === expectedLockHex(identity);
  return equal ? 'provisioned' : 'quarantined';
}

function secretBytesPresent(identity: FakeIdentity, report: Record<string, unknown>): boolean {
  const otpData = report['otpData'];
  if (typeof otpData !== 'string') return false;
  const data = Buffer.from(otpData, 'hex');
  return identity.secretRanges.some((range) =>
    data.subarray(range.offsetBytes, range.offsetBytes + range.lengthBytes).some((byte) => byte !== 0),
  );
}

function expectedLockHex(identity: FakeIdentity): string {
  const lockBytes = new Uint8Array(lockByteCount(getProfile(identity.family))).fill(0xff);
  for (const block of identity.lockedBlocks) lockBytes[block] = 0x00;
  return bytesToHex(lockBytes);
}

/**
 * A test identity: blocks 0–3 of the family's OTP filled with a pattern that depends on `seed`
 * (distinct seeds conflict), block 2 secret, all four locked.
 */
export function testIdentity(family: ChipFamily, seed: number): FakeIdentity {
  const profile = getProfile(family);
  const data = new Uint8Array(profile.blockCount * profile.blockSizeBytes).fill(0xff);
  const usedBytes = 4 * profile.blockSizeBytes;
  for (let offset = 0; offset < usedBytes; offset++) data[offset] = (offset * 7 + seed * 31) % 0xfe;
  const secret = { offsetBytes: 2 * profile.blockSizeBytes, lengthBytes: profile.blockSizeBytes };
  return { family, data, lockedBlocks: profile.lockBaseAddress === null ? [] : [0, 1, 2, 3], secretRanges: [secret] };
}
