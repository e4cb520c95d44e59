// The station's API adapter (StationApi, on the generated client) against the REAL API over HTTP:
// every claim outcome, binding lookup and report verdict the worker relies on, as the real API
// produces them — not as the worker tests' fake API (apps/station/src/worker/testing) imitates them.
// The tests run in order on shared devices: each one moves the story on.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createIngrainClient, expectData, type IngrainClient } from '#ingrain/api-client';
import { stationKeyFingerprint } from '#ingrain/crypto';
import { testStationKey } from '#ingrain/crypto/testing';
import { getProfile, lockByteCount } from '#ingrain/otp';
import { bytesToHex } from '#ingrain/encoding';
import { StationApiError } from '../../apps/station/src/worker/errors.js';
import { StationApi, type ClaimedImage, type ClaimOutcome } from '../../apps/station/src/worker/api/station-api.js';
import { linkErrorReport, randomChipUid, successReport } from '../../testkit/station-reports.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { REPO_ROOT } from '../../testkit/paths.js';

/** The claimed image as testkit/station-reports builds reports from it (lock bytes as the API expects them). */
function reportSource(chipUid: string, image: ClaimedImage) {
  const profile = getProfile(image.family);
  const lockBytes = new Uint8Array(lockByteCount(profile)).fill(0xff);
  for (const block of image.lockedBlocks) lockBytes[block] = 0x00;
  return {
    chipUid,
    jobId: null,
    image: { family: image.family, dataHex: image.dataHex, lockBytesHex: bytesToHex(lockBytes) },
    secretRanges: image.secretRanges,
  };
}

function claimedImage(outcome: ClaimOutcome): ClaimedImage {
  assert.equal(outcome.kind, 'claimed');
  return outcome.image;
}

/** A StationApiError with this code, status and problem code (and so, transient or not). */
const apiError =
  (code: string, status: number | undefined, problemCode: string | undefined) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof StationApiError, `not a StationApiError: ${String(error)}`);
    assert.deepEqual(
      { code: error.code, status: error.status, problemCode: error.problemCode, transient: error.transient },
      { code, status, problemCode, transient: code === 'STATION_API_UNREACHABLE' },
    );
    return true;
  };

describe('StationApi against the real API', () => {
  let api: TestApi;
  let station: StationApi;
  let baseUrl: string;
  let stationToken: string;
  let layoutDigest: string;
  /** Queued devices of one work order, taken in order by the tests. */
  const devices: string[] = [];
  const chip = { a: randomChipUid(), b: randomChipUid(), c: randomChipUid(), d: randomChipUid() };
  let imageA: ClaimedImage;
  const stationKey = testStationKey();
  const sealing = { stationId: 'station-1', privateKey: stationKey.privateKey };
  const client = (token: string): IngrainClient => createIngrainClient({ baseUrl, token });

  before(async () => {
    api = await startTestApi();
    await api.app.listen(0, '127.0.0.1');
    baseUrl = await api.app.getUrl();
    const admin = client(api.adminToken);
    const source = await readFile(join(REPO_ROOT, 'examples', 'layouts', 'sensor-node.yaml'), 'utf8');
    // The serial field is written from the device's serial (docs/layouts.md, "Identity fields").
    const { serial: _serial, ...inputs } = JSON.parse(
      await readFile(join(REPO_ROOT, 'examples', 'values', 'sensor-node.json'), 'utf8'),
    ) as Record<string, unknown>;
    expectData(await admin.POST('/v1/products', { body: { id: 'sensor-node', name: 'Sensor node', line: 'line-1' } }));
    const layout = expectData(
      await admin.POST('/v1/products/{id}/layouts', { params: { path: { id: 'sensor-node' } }, body: { source } }),
    );
    layoutDigest = layout.digest;
    const created = expectData(
      await admin.POST('/v1/stations', {
        body: { id: 'station-1', name: 'Station 1', line: 'line-1', sealingPublicKey: stationKey.publicKeyHex },
      }),
    );
    stationToken = created.token.token;
    const mes = client(expectData(await admin.POST('/v1/tokens', { body: { name: 'mes', role: 'mes' } })).token);
    const order = expectData(await mes.POST('/v1/work-orders', { body: { productId: 'sensor-node', quantity: 4 } }));
    for (let n = 0; n < 4; n++) {
      const device = expectData(
        await mes.POST('/v1/devices', {
          params: { header: { 'Idempotency-Key': randomUUID() } },
          body: { workOrderId: order.id, inputs },
        }),
      );
      devices.push(device.id);
    }
    station = new StationApi({ baseUrl, token: stationToken, requestTimeoutMs: 30_000, sealing });
  });
  after(() => api.close());

  const device = (n: number): string => {
    const id = devices[n];
    assert.ok(id !== undefined);
    return id;
  };

  test('claim of a queued device → claimed: the image with its secret ranges and the layout digest', async () => {
    const outcome = await station.claim(device(0), chip.a);
    assert.equal(outcome.kind, 'claimed');
    assert.equal(outcome.layoutDigest, layoutDigest);
    imageA = outcome.image;
    const profile = getProfile('stm32f4');
    assert.equal(imageA.family, 'stm32f4');
    assert.equal(imageA.dataHex.length, 2 * profile.blockCount * profile.blockSizeBytes);
    assert.deepEqual(imageA.lockedBlocks, [0, 1, 2, 3, 4]);
    // sensor-node's pairing_key: block 4, 16 bytes (stm32f4 blocks are 32 bytes).
    assert.deepEqual(imageA.secretRanges, [{ offsetBytes: 4 * 32, lengthBytes: 16 }]);
    const secret = imageA.dataHex.slice(2 * 4 * 32, 2 * (4 * 32 + 16));
    assert.notEqual(secret, '00'.repeat(16), 'the claim carries the secret bytes, sealed and opened here');
  });

  test("the same claim opened with another station's key, or as another station, does not open: nothing to write", async () => {
    const stranger = new StationApi({
      baseUrl,
      token: stationToken,
      sealing: { stationId: 'station-1', privateKey: testStationKey().privateKey },
    });
    assert.deepEqual(await stranger.claim(device(0), chip.a), { kind: 'secrets-unopened', reason: 'SEAL_OPEN_FAILED' });
    const impostor = new StationApi({ baseUrl, token: stationToken, sealing: { ...sealing, stationId: 'station-2' } });
    assert.deepEqual(await impostor.claim(device(0), chip.a), { kind: 'secrets-unopened', reason: 'SEAL_OPEN_FAILED' });
  });

  test('the same claim again → claimed, the same image (idempotent)', async () => {
    assert.deepEqual(await station.claim(device(0), chip.a), { kind: 'claimed', image: imageA, layoutDigest });
    // The API compares UIDs case-insensitively.
    assert.equal((await station.claim(device(0), chip.a.toUpperCase())).kind, 'claimed');
  });

  test('a bound chip on another device → CHIP_ALREADY_BOUND with the device to finish', async () => {
    assert.deepEqual(await station.claim(device(1), chip.a), {
      kind: 'chip-bound-to-other-device',
      deviceId: device(0),
    });
  });

  test('a claimed identity with another chip → IDENTITY_BOUND_ELSEWHERE', async () => {
    assert.deepEqual(await station.claim(device(0), chip.b), { kind: 'identity-bound-elsewhere' });
  });

  test('when both apply, IDENTITY_BOUND_ELSEWHERE wins over CHIP_ALREADY_BOUND', async () => {
    assert.equal((await station.claim(device(1), chip.b)).kind, 'claimed');
    // device 0 holds chip a, device 1 holds chip b: device 0 asked for with chip b.
    assert.deepEqual(await station.claim(device(0), chip.b), { kind: 'identity-bound-elsewhere' });
  });

  test('bindings: a bound chip → its device and state; an unknown one → undefined', async () => {
    assert.deepEqual(await station.bindingFor(chip.a), { deviceId: device(0), state: 'claimed' });
    assert.deepEqual(await station.bindingFor(chip.a.toUpperCase()), { deviceId: device(0), state: 'claimed' });
    assert.equal(await station.bindingFor(chip.d), undefined);
  });

  test('report of an exact read-back → provisioned; the same report again → provisioned', async () => {
    const report = successReport(reportSource(chip.a, imageA));
    assert.deepEqual(await station.report(device(0), report), { verdict: 'provisioned' });
    assert.deepEqual(await station.report(device(0), report), { verdict: 'provisioned' });
    // A re-run's report (other timings) with the same verdict gets the recorded answer too.
    const rerun = successReport(reportSource(chip.a, imageA), { outcome: 'already-provisioned', totalMs: 9 });
    assert.deepEqual(await station.report(device(0), rerun), { verdict: 'provisioned' });
    assert.deepEqual(await station.bindingFor(chip.a), { deviceId: device(0), state: 'provisioned' });
  });

  test('a report contradicting the recorded verdict → rejected DEVICE_STATE_CONFLICT', async () => {
    const contradiction = linkErrorReport(reportSource(chip.a, imageA));
    await assert.rejects(
      station.report(device(0), contradiction),
      apiError('STATION_API_REJECTED', 409, 'DEVICE_STATE_CONFLICT'),
    );
  });

  test('claim of a provisioned device → not claimable (provisioned), with its chip or another', async () => {
    assert.deepEqual(await station.claim(device(0), chip.a), { kind: 'not-claimable', state: 'provisioned' });
    assert.deepEqual(await station.claim(device(0), chip.d), { kind: 'not-claimable', state: 'provisioned' });
  });

  test('link error → retry (still claimed); a station failure → quarantined, repeated; then not claimable', async () => {
    const image = claimedImage(await station.claim(device(1), chip.b));
    const source = reportSource(chip.b, image);
    assert.deepEqual(await station.report(device(1), linkErrorReport(source)), { verdict: 'retry' });
    assert.deepEqual(await station.report(device(1), linkErrorReport(source)), { verdict: 'retry' });
    assert.deepEqual(await station.bindingFor(chip.b), { deviceId: device(1), state: 'claimed' });
    const conflict = successReport(source, {
      outcome: 'conflict',
      error: { code: 'OTP_CONFLICT', phase: 'plan', stage: null, message: 'block 1 is programmed differently' },
    });
    assert.deepEqual(await station.report(device(1), conflict), { verdict: 'quarantined' });
    assert.deepEqual(await station.report(device(1), conflict), { verdict: 'quarantined' });
    assert.deepEqual(await station.claim(device(1), chip.b), { kind: 'not-claimable', state: 'quarantined' });
  });

  test('a scrapped device → not claimable (scrapped); its report → rejected DEVICE_STATE_CONFLICT', async () => {
    const image = claimedImage(await station.claim(device(2), chip.c));
    const admin = client(api.adminToken);
    expectData(
      await admin.POST('/v1/devices/{id}/scrap', {
        params: { path: { id: device(2) } },
        body: { reason: 'dropped on the floor' },
      }),
    );
    assert.deepEqual(await station.claim(device(2), chip.c), { kind: 'not-claimable', state: 'scrapped' });
    assert.deepEqual(await station.bindingFor(chip.c), { deviceId: device(2), state: 'scrapped' });
    await assert.rejects(
      station.report(device(2), successReport(reportSource(chip.c, image))),
      apiError('STATION_API_REJECTED', 409, 'DEVICE_STATE_CONFLICT'),
    );
  });

  test('refusals a retry cannot fix are rejected with the problem code, never transient', async () => {
    await assert.rejects(
      station.claim(randomUUID(), chip.d),
      apiError('STATION_API_REJECTED', 404, 'DEVICE_NOT_FOUND'),
    );
    await assert.rejects(
      station.claim('not-a-uuid', chip.d),
      apiError('STATION_API_REJECTED', 400, 'VALIDATION_FAILED'),
    );
    // A report about a queued device (no chip bound): no report is expected.
    await assert.rejects(
      station.report(device(3), successReport(reportSource(chip.d, imageA))),
      apiError('STATION_API_REJECTED', 409, 'DEVICE_STATE_CONFLICT'),
    );
  });

  test('a report with unmasked secret bytes → rejected, and no byte of it in the error', async () => {
    const image = claimedImage(await station.claim(device(3), chip.d));
    const unmasked = successReport(reportSource(chip.d, image), { otpData: image.dataHex });
    const secretHex = image.dataHex.slice(2 * 4 * 32, 2 * (4 * 32 + 16));
    await assert.rejects(station.report(device(3), unmasked), (error: unknown) => {
      assert.ok(error instanceof Error && !error.message.includes(secretHex));
      return apiError('STATION_API_REJECTED', 422, 'REPORT_SECRET_BYTES_PRESENT')(error);
    });
    assert.deepEqual(await station.bindingFor(chip.d), { deviceId: device(3), state: 'claimed' });
  });

  test("whoAmI: the token's station; another role's token → 403, a wrong one → 401, both credential refusals", async () => {
    assert.deepEqual(await station.whoAmI(), {
      id: 'station-1',
      name: 'Station 1',
      line: 'line-1',
      sealingKeyFingerprint: stationKeyFingerprint(stationKey.publicKey),
    });
    const refusal = (status: number, problemCode: string) => (error: unknown) => {
      assert.ok(error instanceof StationApiError && error.credentialsRefused);
      return apiError('STATION_API_REJECTED', status, problemCode)(error);
    };
    await assert.rejects(
      new StationApi({ baseUrl, token: api.adminToken, sealing }).whoAmI(),
      refusal(403, 'ROLE_FORBIDDEN'),
    );
    await assert.rejects(
      new StationApi({ baseUrl, token: `ingr_${'x'.repeat(43)}`, sealing }).whoAmI(),
      refusal(401, 'AUTH_INVALID'),
    );
  });

  test('a wrong token → rejected 401 AUTH_INVALID, not transient', async () => {
    const stranger = new StationApi({ baseUrl, token: `ingr_${'x'.repeat(43)}`, sealing });
    await assert.rejects(
      stranger.report(device(3), linkErrorReport(reportSource(chip.d, imageA))),
      apiError('STATION_API_REJECTED', 401, 'AUTH_INVALID'),
    );
  });

  test('the API stopped → transient unreachable', async () => {
    await api.app.close();
    await assert.rejects(station.bindingFor(chip.a), apiError('STATION_API_UNREACHABLE', undefined, undefined));
    await assert.rejects(
      station.report(device(3), linkErrorReport(reportSource(chip.d, imageA))),
      apiError('STATION_API_UNREACHABLE', undefined, undefined),
    );
  });
});
