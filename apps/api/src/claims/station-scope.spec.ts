import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { claimedDevice, DEVICE_ID, mesPrincipal, STATION_ID, stationPrincipal } from '../testing/fixtures.js';
import { assertHeldBy, assertOnLine, StationScope } from './station-scope.js';

describe('StationScope', () => {
  let scope: StationScope;

  beforeEach(() => {
    scope = new StationScope();
  });

  test("the acting station is the token's, with its line as the token lookup read it (no query)", async () => {
    assert.deepEqual(await scope.stationOf(stationPrincipal()), { id: STATION_ID, line: 'line-1' });
    assert.deepEqual(await scope.stationOf(stationPrincipal(STATION_ID, { line: 'line-2' })), {
      id: STATION_ID,
      line: 'line-2',
    });
  });

  test('no station token, or a station not registered: STATION_TOKEN_REQUIRED', async () => {
    await assert.rejects(scope.stationOf(mesPrincipal()), { code: 'STATION_TOKEN_REQUIRED' });
    const unregistered = { ...stationPrincipal(), stationLine: null };
    await assert.rejects(scope.stationOf(unregistered), { code: 'STATION_TOKEN_REQUIRED' });
  });

  test('a claiming station comes with its sealing key; without one: STATION_SEALING_KEY_MISSING', async () => {
    const key = Uint8Array.from([4, ...new Array<number>(64).fill(1)]);
    assert.deepEqual(await scope.claimingStationOf(stationPrincipal(STATION_ID, { sealingKey: key })), {
      id: STATION_ID,
      line: 'line-1',
      sealingPublicKey: key,
    });
    await assert.rejects(scope.claimingStationOf(stationPrincipal(STATION_ID, { sealingKey: null })), {
      code: 'STATION_SEALING_KEY_MISSING',
      extensions: { stationId: STATION_ID },
    });
    await assert.rejects(scope.claimingStationOf(mesPrincipal()), { code: 'STATION_TOKEN_REQUIRED' });
    await assert.rejects(scope.claimingStationOf({ ...stationPrincipal(), stationLine: null }), {
      code: 'STATION_TOKEN_REQUIRED',
    });
  });

  test("a device of the station's line passes; another line's is DEVICE_OTHER_LINE; an unknown one DEVICE_NOT_FOUND", () => {
    const station = { id: STATION_ID, line: 'line-1' };
    assertOnLine(station, DEVICE_ID, 'line-1');
    assert.throws(() => assertOnLine(station, DEVICE_ID, 'line-2'), {
      code: 'DEVICE_OTHER_LINE',
      extensions: { deviceId: DEVICE_ID },
    });
    assert.throws(() => assertOnLine(station, DEVICE_ID, undefined), { code: 'DEVICE_NOT_FOUND' });
  });

  test('only the station holding a device reports for it', () => {
    assertHeldBy(STATION_ID, claimedDevice());
    assert.throws(() => assertHeldBy('st-2', claimedDevice()), { code: 'DEVICE_CLAIMED_BY_OTHER_STATION' });
    assert.throws(() => assertHeldBy(STATION_ID, claimedDevice({ stationId: null })), {
      code: 'DEVICE_CLAIMED_BY_OTHER_STATION',
    });
  });
});
