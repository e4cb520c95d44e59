// The HTTP adapter against a scripted local server: status codes and problems → typed outcomes.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { StationApiError } from './errors.js';
import { StationApi } from './station-api.js';

const SECRET_HEX = '5ec7e75ec7e75ec7';
let next: { status: number; body: unknown } = { status: 200, body: {} };
let lastRequest: { method?: string; url?: string; authorization?: string; body?: string } = {};

describe('StationApi', () => {
  let server: Server;
  let api: StationApi;
  const answer = (status: number, body: unknown) => (next = { status, body });
  const apiError = (code: string, status?: number) => (error: unknown) =>
    error instanceof StationApiError &&
    error.code === code &&
    error.status === status &&
    !error.message.includes(SECRET_HEX);

  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        lastRequest = { method: request.method, url: request.url, authorization: request.headers.authorization, body };
        response.writeHead(next.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(next.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new StationApi({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      token: 'ingr_token_for_tests',
    });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('claim: 200 → the image, with the secret ranges and the layout digest', async () => {
    answer(200, {
      layout: { name: 'x', version: 1, digestSha256: 'ab'.repeat(32) },
      image: { family: 'stm32f4', dataHex: SECRET_HEX, lockedBlocks: [0], lockBytesHex: '00' },
      secretRanges: [{ name: 'k', offsetBytes: 0, lengthBytes: 8 }],
    });
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
    assert.equal(lastRequest.authorization, 'Bearer ingr_token_for_tests');
    assert.deepEqual(JSON.parse(lastRequest.body ?? ''), { chipUid: 'aabb' });
  });

  test('claim: the 409 problems become kinds', async () => {
    answer(409, { code: 'CHIP_ALREADY_BOUND', deviceId: 'dev-9' });
    assert.deepEqual(await api.claim('dev-1', 'aabb'), { kind: 'chip-bound-to-other-device', deviceId: 'dev-9' });
    answer(409, { code: 'IDENTITY_BOUND_ELSEWHERE', deviceId: 'dev-1' });
    assert.deepEqual(await api.claim('dev-1', 'aabb'), { kind: 'identity-bound-elsewhere' });
    answer(409, { code: 'DEVICE_STATE_CONFLICT', state: 'scrapped', action: 'claim' });
    assert.deepEqual(await api.claim('dev-1', 'aabb'), { kind: 'not-claimable', state: 'scrapped' });
  });

  test('claim: an unparseable image is refused without echoing it', async () => {
    answer(200, {
      layout: { digestSha256: 'ab' },
      image: { family: 'z80', dataHex: SECRET_HEX, lockedBlocks: [] },
      secretRanges: [],
    });
    await assert.rejects(api.claim('dev-1', 'aabb'), apiError('STATION_API_INVALID_RESPONSE', 200));
  });

  test('bindings: 200 → the binding, 404 BINDING_NOT_FOUND → undefined', async () => {
    answer(200, { deviceId: 'dev-2', state: 'claimed' });
    assert.deepEqual(await api.bindingFor('aabb'), { deviceId: 'dev-2', state: 'claimed' });
    assert.equal(lastRequest.url, '/v1/bindings/aabb');
    answer(404, { code: 'BINDING_NOT_FOUND' });
    assert.equal(await api.bindingFor('aabb'), undefined);
  });

  test('5xx, 408 and 429 are transient; other refusals are not', async () => {
    for (const status of [500, 503, 408, 429]) {
      answer(status, { code: 'X' });
      await assert.rejects(api.bindingFor('aabb'), apiError('STATION_API_UNREACHABLE', status));
    }
    answer(401, { code: 'UNAUTHENTICATED' });
    await assert.rejects(api.report('dev-1', {} as never), apiError('STATION_API_REJECTED', 401));
    answer(404, { code: 'NOT_FOUND' });
    await assert.rejects(api.bindingFor('aabb'), apiError('STATION_API_REJECTED', 404));
  });

  test('report: 200 → the verdict', async () => {
    answer(200, { deviceId: 'dev-1', state: 'provisioned', verdict: 'provisioned', reason: 'exact-match', diff: [] });
    assert.deepEqual(await api.report('dev-1', {} as never), { verdict: 'provisioned' });
    assert.equal(lastRequest.url, '/v1/devices/dev-1/result');
  });

  test('no server is transient', async () => {
    const down = new StationApi({ baseUrl: 'http://127.0.0.1:1', token: 't', requestTimeoutMs: 2_000 });
    await assert.rejects(down.bindingFor('aabb'), apiError('STATION_API_UNREACHABLE', undefined));
  });
});
