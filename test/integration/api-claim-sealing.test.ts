// Secrets in transit (issue 9; docs/sealing.md): the claim response carries the image's public part
// and one HPKE envelope holding its secret part, sealed to the claiming station's registered key and
// bound to device, chip UID, claim id and station. Driven over HTTP against the real API (PGlite,
// SoftHSM, Redis): registration of the station key, the refusal of a station without one, no secret
// byte in any response (hex, base64, text), and envelopes that open for one station and one binding only.
import assert from 'node:assert/strict';
import { createPublicKey, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openAsStation, stationKeyFingerprint } from '#ingrain/crypto';
import { testStationKey, type TestStationKey } from '#ingrain/crypto/testing';
import type { Response } from 'supertest';
import { DeviceRequestsModule } from '../../apps/api/src/device-requests/device-requests.module.js';
import { JobsModule } from '../../apps/api/src/jobs/jobs.module.js';
import { TrustModule } from '../../apps/api/src/trust/index.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { openClaim, secretEncodings } from '../../testkit/sealed-claims.js';
import { randomChipUid, successReport } from '../../testkit/station-reports.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';

interface ClaimBody {
  deviceId: string;
  chipUid: string;
  claimId: string;
  stationId: string;
  jobId: string | null;
  image: { family: string; dataHex: string; lockedBlocks: number[]; lockBytesHex: string };
  secretRanges: { name: string; offsetBytes: number; lengthBytes: number }[];
  sealedSecrets: { version: number; suite: string; enc: string; ciphertext: string };
}

interface StationBody {
  id: string;
  sealingKeyFingerprint: string | null;
  sealingKeyRegisteredAt: string | null;
}

let api: TestApi;
let mes: string;
/** gateway-f7: a sealed device private key and a PIN; sensor-node: an HSM-derived secret. */
let gateway: SeededCatalog;
let sensor: SeededCatalog;
let gatewayStation: string;
let sensorStation: string;
/** Every secret opened from an envelope, with the responses that must not show it. */
const secrets: Uint8Array[] = [];

const bearer = (token: string) => `Bearer ${token}`;

function assertProblem(response: Response, status: number, code: string): Record<string, unknown> {
  assert.equal(response.status, status, response.text);
  assert.equal((response.body as { code?: unknown }).code, code, response.text);
  return response.body as Record<string, unknown>;
}

async function createDevice(seed: SeededCatalog): Promise<string> {
  const response = await api
    .http()
    .post('/v1/devices')
    .set('Authorization', bearer(mes))
    .set('Idempotency-Key', randomUUID())
    .send({ workOrderId: seed.workOrderId, inputs: seed.inputs });
  assert.equal(response.status, 202, response.text);
  return (response.body as { id: string }).id;
}

function claim(deviceId: string, chipUid: string, claimId: string, token: string): Promise<Response> {
  return api
    .http()
    .post(`/v1/devices/${deviceId}/claim`)
    .set('Authorization', bearer(token))
    .send({ chipUid, claimId });
}

/** Asserts that no opened secret shows in `text` in any encoding. */
function assertNoSecretIn(text: string, where: string): void {
  for (const secret of secrets) {
    for (const encoding of secretEncodings(secret)) assert.equal(text.includes(encoding), false, where);
  }
}

before(async () => {
  api = await startTestApi({ extraModules: [TrustModule, JobsModule, DeviceRequestsModule] });
  gateway = await seedCatalogRows(api.database.kysely, { example: 'gateway-f7', quantity: 20 });
  sensor = await seedCatalogRows(api.database.kysely, { quantity: 20 });
  mes = await api.createToken('mes', 'sealing-mes');
  gatewayStation = await api.createToken('station', 'sealing-gateway-station', gateway.stationId);
  sensorStation = await api.createToken('station', 'sealing-sensor-station', sensor.stationId);
});

after(async () => {
  await api?.close();
});

void describe('the claim response: the public part in clear, the secret part sealed to the station', () => {
  test('device key, PIN and derived secret: none in the response, each range zeroed, all in the envelope', async () => {
    for (const [seed, token] of [
      [gateway, gatewayStation],
      [sensor, sensorStation],
    ] as const) {
      const deviceId = await createDevice(seed);
      const chipUid = randomChipUid();
      const claimId = randomUUID();
      const response = await claim(deviceId, chipUid, claimId, token);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers['cache-control'], 'no-store');
      const body = response.body as ClaimBody;
      assert.equal(body.claimId, claimId);
      assert.deepEqual(Object.keys(body.sealedSecrets).sort(), ['ciphertext', 'enc', 'suite', 'version']);
      assert.equal(body.sealedSecrets.suite, 'hpke-p256-sha256-aes256gcm');
      for (const range of body.secretRanges) {
        const clear = body.image.dataHex.slice(2 * range.offsetBytes, 2 * (range.offsetBytes + range.lengthBytes));
        assert.equal(clear, '00'.repeat(range.lengthBytes), `${range.name} is zeroed in clear`);
      }
      const binding = { deviceId, chipUid, claimId, stationId: seed.stationId };
      const opened = openClaim(body, seed.stationKey.privateKey, binding);
      assert.equal(opened.secrets.length, body.secretRanges.length);
      for (const secret of opened.secrets) {
        assert.ok(
          secret.some((byte) => byte !== 0 && byte !== 0xff),
          'a real secret',
        );
        secrets.push(secret);
      }
      assertNoSecretIn(response.text, `claim of ${deviceId}`);

      // The same chip again (a re-claim): sealed afresh to the new claim id, the same secrets inside.
      const again = await claim(deviceId, chipUid.toUpperCase(), randomUUID(), token);
      assert.equal(again.status, 200, again.text);
      const reopened = openClaim(again.body as ClaimBody, seed.stationKey.privateKey, {
        ...binding,
        chipUid: chipUid.toUpperCase(),
        claimId: (again.body as ClaimBody).claimId,
      });
      assert.deepEqual(reopened.data, opened.data);
      assert.notEqual((again.body as ClaimBody).sealedSecrets.enc, body.sealedSecrets.enc, 'a fresh ephemeral key');
      assertNoSecretIn(again.text, `re-claim of ${deviceId}`);

      // Every other answer about the device: its record, the binding lookup, the report's verdict.
      const record = await api.http().get(`/v1/devices/${deviceId}`).set('Authorization', bearer(mes));
      assertNoSecretIn(record.text, 'GET /v1/devices/{id}');
      const lookup = await api.http().get(`/v1/bindings/${chipUid}`).set('Authorization', bearer(token));
      assertNoSecretIn(lookup.text, 'GET /v1/bindings/{chipUid}');
      const verdict = await api
        .http()
        .post(`/v1/devices/${deviceId}/result`)
        .set('Authorization', bearer(token))
        .send(successReport(body));
      assert.equal((verdict.body as { verdict?: string }).verdict, 'provisioned', verdict.text);
      assertNoSecretIn(verdict.text, 'POST /v1/devices/{id}/result');
    }
    assert.ok(secrets.length >= 3, 'device key, PIN and derived secret');
    assertNoSecretIn(api.logs.join('\n'), 'the API log');
  });

  test("another station's key, or any other binding member, does not open it", async () => {
    const deviceId = await createDevice(gateway);
    const chipUid = randomChipUid();
    const claimId = randomUUID();
    const response = await claim(deviceId, chipUid, claimId, gatewayStation);
    assert.equal(response.status, 200, response.text);
    const body = response.body as ClaimBody;
    const binding = { deviceId, chipUid, claimId, stationId: gateway.stationId };
    const open =
      (key: TestStationKey, changed: Partial<typeof binding> = {}) =>
      () =>
        openAsStation({
          stationPrivateKey: key.privateKey,
          envelope: body.sealedSecrets,
          binding: { ...binding, ...changed },
        });
    assert.ok(open(gateway.stationKey)().length > 0, 'the claiming station opens it');
    const refused = { code: 'SEAL_OPEN_FAILED' };
    assert.throws(open(sensor.stationKey), refused, "another station's key");
    assert.throws(open(sensor.stationKey, { stationId: sensor.stationId }), refused, 'another station, its own id');
    assert.throws(open(gateway.stationKey, { chipUid: randomChipUid() }), refused, 'another chip UID');
    assert.throws(open(gateway.stationKey, { claimId: randomUUID() }), refused, 'another claim id');
    assert.throws(open(gateway.stationKey, { deviceId: randomUUID() }), refused, 'another device');
    assert.throws(open(gateway.stationKey, { stationId: `${gateway.stationId}-x` }), refused, 'another station id');
  });
});

void describe('the station sealing key: registered by the admin, required to claim', () => {
  test('a station with no registered key gets 409 STATION_SEALING_KEY_MISSING: nothing bound, nothing handed out', async () => {
    const admin = bearer(api.adminToken);
    const created = await api
      .http()
      .post('/v1/stations')
      .set('Authorization', admin)
      .send({ id: `keyless-${process.pid}`, name: 'Keyless', line: sensor.line });
    assert.equal(created.status, 201, created.text);
    const station = (created.body as { station: StationBody; token: { token: string } }).station;
    assert.equal(station.sealingKeyFingerprint, null);
    const token = (created.body as { token: { token: string } }).token.token;
    const deviceId = await createDevice(sensor);
    const chipUid = randomChipUid();
    const problem = assertProblem(
      await claim(deviceId, chipUid, randomUUID(), token),
      409,
      'STATION_SEALING_KEY_MISSING',
    );
    assert.equal(problem['stationId'], station.id);
    assert.equal('image' in problem, false);
    const device = await api.http().get(`/v1/devices/${deviceId}`).set('Authorization', bearer(mes));
    assert.equal((device.body as { state: string }).state, 'queued');
    assert.equal((device.body as { history: unknown[] }).history.length, 1, 'no event recorded');
    assertProblem(
      await api.http().get(`/v1/bindings/${chipUid}`).set('Authorization', bearer(token)),
      404,
      'BINDING_NOT_FOUND',
    );

    // The admin registers keygen's key (SEC1 hex, or the .pub.pem): the station claims, sealed to it.
    const key = testStationKey();
    const registered = await api
      .http()
      .put(`/v1/stations/${station.id}/sealing-key`)
      .set('Authorization', admin)
      .send({ sealingPublicKey: key.publicKeyHex });
    assert.equal(registered.status, 200, registered.text);
    assert.equal((registered.body as StationBody).sealingKeyFingerprint, stationKeyFingerprint(key.publicKey));
    assert.equal(registered.text.includes(key.publicKeyHex), false, 'the fingerprint is shown, not the key');
    const me = await api.http().get('/v1/stations/me').set('Authorization', bearer(token));
    assert.equal((me.body as StationBody).sealingKeyFingerprint, stationKeyFingerprint(key.publicKey));
    const claimId = randomUUID();
    const claimed = await claim(deviceId, chipUid, claimId, token);
    assert.equal(claimed.status, 200, claimed.text);
    openClaim(claimed.body as ClaimBody, key.privateKey, { deviceId, chipUid, claimId, stationId: station.id });

    // Replaced (rotation): the next claim opens with the new key only.
    const rotated = testStationKey();
    const pem = String(createPublicKey(rotated.privateKey).export({ type: 'spki', format: 'pem' }));
    const replaced = await api
      .http()
      .put(`/v1/stations/${station.id}/sealing-key`)
      .set('Authorization', admin)
      .send({ sealingPublicKey: pem });
    assert.equal(replaced.status, 200, replaced.text);
    const next = await claim(deviceId, chipUid, claimId, token);
    const binding = { deviceId, chipUid, claimId, stationId: station.id };
    assert.throws(() => openClaim(next.body as ClaimBody, key.privateKey, binding), { code: 'SEAL_OPEN_FAILED' });
    openClaim(next.body as ClaimBody, rotated.privateKey, binding);
  });

  test('only the admin registers a key; a key that is not a P-256 point is refused naming the field', async () => {
    const path = `/v1/stations/${sensor.stationId}/sealing-key`;
    const body = { sealingPublicKey: testStationKey().publicKeyHex };
    for (const token of [sensorStation, mes]) {
      assertProblem(await api.http().put(path).set('Authorization', bearer(token)).send(body), 403, 'ROLE_FORBIDDEN');
    }
    const admin = bearer(api.adminToken);
    const offCurve = `04${'11'.repeat(64)}`;
    const compressed = `02${'11'.repeat(32)}`;
    for (const sealingPublicKey of [offCurve, compressed, 'not a key', '']) {
      const problem = assertProblem(
        await api.http().put(path).set('Authorization', admin).send({ sealingPublicKey }),
        400,
        'VALIDATION_FAILED',
      );
      assert.match(JSON.stringify(problem['errors']), /sealingPublicKey/);
    }
    assertProblem(
      await api.http().put('/v1/stations/no-such-station/sealing-key').set('Authorization', admin).send(body),
      404,
      'STATION_NOT_FOUND',
    );
    const created = await api
      .http()
      .post('/v1/stations')
      .set('Authorization', admin)
      .send({ id: `bad-key-${process.pid}`, name: 'Bad key', line: sensor.line, sealingPublicKey: offCurve });
    assertProblem(created, 400, 'VALIDATION_FAILED');
  });
});
