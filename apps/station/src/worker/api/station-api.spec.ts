// The HTTP adapter against a scripted local server: status codes, problems, broken and late
// answers → typed outcomes and errors, never a body byte in a message.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type StationReportBody } from '#ingrain/contracts';
import { sealForStation, type StationSealBinding } from '#ingrain/crypto';
import { testStationKey } from '#ingrain/crypto/testing';
import { StationApiError } from '../errors.js';
import { StationApi } from './station-api.js';

const SECRET_HEX = '5ec7e75ec7e75ec7';
const TOKEN = 'ingr_token_for_tests';
const STATION_ID = 'station-1';
const KEY = testStationKey();
const OTHER_KEY = testStationKey();

/** A claim's request body, as the scripted server read it. */
interface Sent {
  readonly chipUid: string;
  readonly claimId: string;
}

/** What the server does with the next request (a body function answers from the request's body). */
type Script =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'text'; readonly status: number; readonly text: string; readonly contentType: string }
  /** Sends nothing at all. */
  | { readonly kind: 'silent' }
  /** Sends the headers and half a body, then nothing. */
  | { readonly kind: 'stalled-body'; readonly status: number };

let script: Script = { kind: 'json', status: 200, body: {} };
let lastRequest: { method?: string; url?: string; authorization?: string; contentType?: string; body?: string } = {};

function serve(request: IncomingMessage, response: ServerResponse, body: string): void {
  lastRequest = {
    method: request.method,
    url: request.url,
    authorization: request.headers.authorization,
    contentType: request.headers['content-type'],
    body,
  };
  switch (script.kind) {
    case 'json': {
      const answer =
        typeof script.body === 'function' ? (script.body as (sent: Sent) => unknown)(sentOf(body)) : script.body;
      response.writeHead(script.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
      return;
    }
    case 'text':
      response.writeHead(script.status, { 'content-type': script.contentType });
      response.end(script.text);
      return;
    case 'silent':
      return;
    case 'stalled-body':
      response.writeHead(script.status, { 'content-type': 'application/json', 'content-length': '400' });
      response.write(`{"image":{"dataHex":"${SECRET_HEX}`);
      return;
  }
}

function sentOf(body: string): Sent {
  try {
    return JSON.parse(body) as Sent;
  } catch {
    return { chipUid: '', claimId: '' };
  }
}

/** How the scripted API seals a claim: to which key, with which binding and plaintext. */
interface Sealing {
  readonly key?: Uint8Array;
  readonly binding?: (binding: StationSealBinding) => StationSealBinding;
  readonly plaintext?: string;
}

/**
 * A claim answer sealed as the API seals it (8 secret bytes at offset 0, zeroed in clear), to the
 * claim id and UID the request sent; `sealing` changes the key, binding or plaintext.
 */
const claimBody =
  (overrides: Record<string, unknown> = {}, sealing: Sealing = {}) =>
  (sent: Sent) => {
    const binding = { deviceId: 'dev-1', chipUid: sent.chipUid, claimId: sent.claimId, stationId: STATION_ID };
    const plaintext = sealing.plaintext ?? `{"secrets":[{"dataHex":"${SECRET_HEX}","offsetBytes":0}],"version":1}`;
    const sealedSecrets = sealForStation({
      stationPublicKey: sealing.key ?? KEY.publicKey,
      plaintext: new TextEncoder().encode(plaintext),
      binding: sealing.binding?.(binding) ?? binding,
    });
    return {
      deviceId: 'dev-1',
      claimId: sent.claimId,
      layout: { name: 'x', version: 1, digestSha256: 'ab'.repeat(32) },
      image: { family: 'stm32f4', dataHex: '00'.repeat(8), lockedBlocks: [0], lockBytesHex: '00' },
      secretRanges: [{ name: 'k', offsetBytes: 0, lengthBytes: 8 }],
      sealedSecrets,
      ...overrides,
    };
  };

/** A report body: the adapter passes it through untouched, so its content does not matter here. */
const REPORT = { outcome: 'link-error' } as unknown as StationReportBody;
const SEALING = { stationId: STATION_ID, privateKey: KEY.privateKey };

/** The error must be a StationApiError with this code and status, with no secret in it or its causes. */
const apiError = (code: string, status: number | undefined) => (error: unknown) => {
  assert.ok(error instanceof StationApiError, `not a StationApiError: ${String(error)}`);
  assert.equal(error.code, code);
  assert.equal(error.status, status);
  for (let at: unknown = error; at instanceof Error; at = at.cause)
    assert.ok(!at.message.includes(SECRET_HEX), `a secret in: ${at.message}`);
  return true;
};

describe('StationApi', () => {
  let server: Server;
  let api: StationApi;
  let baseUrl: string;
  const sockets = new Set<Socket>();
  const answer = (status: number, body: unknown) => (script = { kind: 'json', status, body });

  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => serve(request, response, body));
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    api = new StationApi({ baseUrl, token: TOKEN, requestTimeoutMs: 5_000, sealing: SEALING });
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('claim: 200 → the image with its sealed secrets opened, the secret ranges and the layout digest', async () => {
    answer(200, claimBody());
    const outcome = await api.claim('dev-1', 'aabb');
    assert.deepEqual(outcome, {
      kind: 'claimed',
      image: {
        family: 'stm32f4',
        dataHex: SECRET_HEX,
        lockedBlocks: [0],
        secretRanges: [{ offsetBytes: 0, lengthBytes: 8 }],
      },
      layoutDigest: 'ab'.repeat(32),
    });
    assert.equal(lastRequest.method, 'POST');
    assert.equal(lastRequest.url, '/v1/devices/dev-1/claim');
    assert.equal(lastRequest.authorization, `Bearer ${TOKEN}`);
    assert.equal(lastRequest.contentType, 'application/json');
    const sent = JSON.parse(lastRequest.body ?? '') as Sent;
    assert.equal(sent.chipUid, 'aabb');
    assert.match(sent.claimId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await api.claim('dev-1', 'aabb');
    assert.notEqual((JSON.parse(lastRequest.body ?? '') as Sent).claimId, sent.claimId, 'a fresh claim id per request');
  });

  test('claim: sealed secrets that do not open are an outcome naming no byte, never a merged image', async () => {
    const cases: [Sealing, string][] = [
      [{ key: OTHER_KEY.publicKey }, 'SEAL_OPEN_FAILED'],
      [{ binding: (b: StationSealBinding) => ({ ...b, claimId: `${b.claimId}-old` }) }, 'SEAL_OPEN_FAILED'],
      [{ binding: (b: StationSealBinding) => ({ ...b, chipUid: 'ccdd' }) }, 'SEAL_OPEN_FAILED'],
      [{ binding: (b: StationSealBinding) => ({ ...b, deviceId: 'dev-2' }) }, 'SEAL_OPEN_FAILED'],
      [{ binding: (b: StationSealBinding) => ({ ...b, stationId: 'station-2' }) }, 'SEAL_OPEN_FAILED'],
      [{ plaintext: `{"secrets":[{"dataHex":"${SECRET_HEX}","offsetBytes":1}],"version":1}` }, 'CLAIM_SECRETS_INVALID'],
      [{ plaintext: `{"secrets":[],"version":1}` }, 'CLAIM_SECRETS_INVALID'],
      [{ plaintext: 'not json' }, 'CLAIM_SECRETS_INVALID'],
    ];
    for (const [sealing, reason] of cases) {
      answer(200, claimBody({}, sealing));
      const outcome = await api.claim('dev-1', 'aabb');
      assert.deepEqual(outcome, { kind: 'secrets-unopened', reason }, JSON.stringify(Object.keys(sealing)));
      assert.ok(!JSON.stringify(outcome).includes(SECRET_HEX));
    }
    answer(200, (sent: Sent) => ({ ...claimBody()(sent), sealedSecrets: { version: 2 } }));
    assert.deepEqual(await api.claim('dev-1', 'aabb'), { kind: 'secrets-unopened', reason: 'SEAL_ENVELOPE_INVALID' });
  });

  test('claim: a station without a registered key is refused by the API (409 STATION_SEALING_KEY_MISSING)', async () => {
    answer(409, { code: 'STATION_SEALING_KEY_MISSING', stationId: STATION_ID });
    await assert.rejects(api.claim('dev-1', 'aabb'), (error: unknown) => {
      assert.ok(error instanceof StationApiError);
      assert.equal(error.problemCode, 'STATION_SEALING_KEY_MISSING');
      return apiError('STATION_API_REJECTED', 409)(error);
    });
  });

  test('path parameters are encoded', async () => {
    answer(200, claimBody());
    await api.claim('a/b c', 'aabb');
    assert.equal(lastRequest.url, '/v1/devices/a%2Fb%20c/claim');
  });

  test('claim: the 409 problems become kinds', async () => {
    answer(409, { code: 'CHIP_ALREADY_BOUND', deviceId: 'dev-9' });
    assert.deepEqual(await api.claim('dev-1', 'aabb'), { kind: 'chip-bound-to-other-device', deviceId: 'dev-9' });
    answer(409, { code: 'IDENTITY_BOUND_ELSEWHERE', deviceId: 'dev-1' });
    assert.deepEqual(await api.claim('dev-1', 'aabb'), { kind: 'identity-bound-elsewhere' });
    answer(409, { code: 'DEVICE_STATE_CONFLICT', state: 'scrapped', action: 'claim' });
    assert.deepEqual(await api.claim('dev-1', 'aabb'), { kind: 'not-claimable', state: 'scrapped' });
  });

  test('claim: other refusals are rejections with their problem code', async () => {
    answer(409, { code: 'CHIP_ALREADY_BOUND' }); // the device to finish is missing: nothing to act on
    await assert.rejects(api.claim('dev-1', 'aabb'), apiError('STATION_API_REJECTED', 409));
    answer(404, { code: 'DEVICE_NOT_FOUND' });
    await assert.rejects(api.claim('dev-1', 'aabb'), (error: unknown) => {
      assert.ok(error instanceof StationApiError);
      assert.equal(error.problemCode, 'DEVICE_NOT_FOUND');
      assert.equal(error.transient, false);
      return apiError('STATION_API_REJECTED', 404)(error);
    });
    answer(409, { code: 'DEVICE_STATE_CONFLICT', state: 'melted' });
    await assert.rejects(api.claim('dev-1', 'aabb'), apiError('STATION_API_INVALID_RESPONSE', 409));
  });

  test('claim: an image the station cannot use is refused without echoing it', async () => {
    const broken = [
      claimBody({ layout: { digestSha256: 'ab' }, image: { family: 'z80', dataHex: SECRET_HEX, lockedBlocks: [] } }),
      claimBody({ image: { family: 'stm32f4', dataHex: `${SECRET_HEX}x`, lockedBlocks: [] } }),
      claimBody({ image: { family: 'stm32f4', dataHex: SECRET_HEX, lockedBlocks: [-1] } }),
      claimBody({ secretRanges: [{ offsetBytes: 4, lengthBytes: 8 }] }), // past the 8-byte image
      claimBody({ secretRanges: undefined }),
    ];
    for (const body of broken) {
      answer(200, body);
      await assert.rejects(api.claim('dev-1', 'aabb'), apiError('STATION_API_INVALID_RESPONSE', 200));
    }
  });

  test('a success body that is not JSON is an invalid response, and its text is not kept', async () => {
    script = { kind: 'text', status: 200, text: `{"dataHex":"${SECRET_HEX}`, contentType: 'application/json' };
    await assert.rejects(api.claim('dev-1', 'aabb'), (error: unknown) => {
      assert.ok(error instanceof StationApiError);
      assert.equal(error.cause, undefined);
      return apiError('STATION_API_INVALID_RESPONSE', undefined)(error);
    });
  });

  test('bindings: 200 → the binding, 404 BINDING_NOT_FOUND → undefined, another 404 → rejected', async () => {
    answer(200, { deviceId: 'dev-2', state: 'claimed' });
    assert.deepEqual(await api.bindingFor('aabb'), { deviceId: 'dev-2', state: 'claimed' });
    assert.equal(lastRequest.method, 'GET');
    assert.equal(lastRequest.url, '/v1/bindings/aabb');
    assert.equal(lastRequest.authorization, `Bearer ${TOKEN}`);
    answer(404, { code: 'BINDING_NOT_FOUND' });
    assert.equal(await api.bindingFor('aabb'), undefined);
    answer(404, { code: 'ROUTE_NOT_FOUND' });
    await assert.rejects(api.bindingFor('aabb'), apiError('STATION_API_REJECTED', 404));
    answer(200, { deviceId: 'dev-2', state: 'lost' });
    await assert.rejects(api.bindingFor('aabb'), apiError('STATION_API_INVALID_RESPONSE', 200));
  });

  test('5xx, 408 and 429 are transient; other refusals are not', async () => {
    for (const status of [500, 502, 503, 408, 429]) {
      answer(status, { code: 'X' });
      await assert.rejects(api.bindingFor('aabb'), apiError('STATION_API_UNREACHABLE', status));
    }
    answer(401, { code: 'AUTH_INVALID' });
    await assert.rejects(api.report('dev-1', REPORT), (error: unknown) => {
      assert.ok(error instanceof StationApiError);
      assert.equal(error.problemCode, 'AUTH_INVALID');
      assert.equal(error.transient, false);
      return apiError('STATION_API_REJECTED', 401)(error);
    });
    answer(400, { code: 'STATION_REPORT_INVALID' });
    await assert.rejects(api.report('dev-1', REPORT), apiError('STATION_API_REJECTED', 400));
  });

  test("a proxy's HTML error page is classified by its status alone", async () => {
    script = { kind: 'text', status: 502, text: '<html>Bad gateway</html>', contentType: 'text/html' };
    await assert.rejects(api.claim('dev-1', 'aabb'), (error: unknown) => {
      assert.ok(error instanceof StationApiError);
      assert.equal(error.problemCode, undefined);
      return apiError('STATION_API_UNREACHABLE', 502)(error);
    });
    script = { kind: 'text', status: 409, text: '<html>Conflict</html>', contentType: 'text/html' };
    await assert.rejects(api.claim('dev-1', 'aabb'), apiError('STATION_API_INVALID_RESPONSE', 409));
  });

  test('report: 200 → the verdict; the body is sent as given', async () => {
    answer(200, { deviceId: 'dev-1', state: 'provisioned', verdict: 'provisioned', reason: 'exact-match', diff: [] });
    assert.deepEqual(await api.report('dev-1', REPORT), { verdict: 'provisioned' });
    assert.equal(lastRequest.method, 'POST');
    assert.equal(lastRequest.url, '/v1/devices/dev-1/result');
    assert.deepEqual(JSON.parse(lastRequest.body ?? ''), REPORT);
    answer(200, { verdict: 'maybe' });
    await assert.rejects(api.report('dev-1', REPORT), apiError('STATION_API_INVALID_RESPONSE', 200));
  });

  test('no answer within the timeout is transient, and so is a body that stops coming', async () => {
    const impatient = new StationApi({ baseUrl, token: TOKEN, requestTimeoutMs: 300, sealing: SEALING });
    const timedOut = (error: unknown) => {
      assert.ok(error instanceof StationApiError);
      assert.match(error.message, /no answer within 300 ms/);
      return apiError('STATION_API_UNREACHABLE', undefined)(error);
    };
    script = { kind: 'silent' };
    await assert.rejects(impatient.claim('dev-1', 'aabb'), timedOut);
    script = { kind: 'stalled-body', status: 200 };
    await assert.rejects(impatient.claim('dev-1', 'aabb'), timedOut);
  });

  test('no server is transient', async () => {
    const down = new StationApi({
      baseUrl: 'http://127.0.0.1:1',
      token: 't',
      requestTimeoutMs: 2_000,
      sealing: SEALING,
    });
    await assert.rejects(down.bindingFor('aabb'), (error: unknown) => {
      assert.ok(error instanceof StationApiError);
      assert.equal(error.transient, true);
      assert.match(error.message, /unreachable/);
      return apiError('STATION_API_UNREACHABLE', undefined)(error);
    });
  });
});
