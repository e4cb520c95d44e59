import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../errors/app-error.js';
import { checkStationCertificate, stationIdsOf, type PeerCertificate } from './client-certificate.js';
import type { Principal } from './principal.js';

const station: Principal = {
  tokenId: 't1',
  tokenName: 'station-st-a',
  role: 'station',
  stationId: 'st-a',
  stationLine: 'line-1',
  stationSealingKey: null,
};
const mes: Principal = {
  tokenId: 't2',
  tokenName: 'mes',
  role: 'mes',
  stationId: null,
  stationLine: null,
  stationSealingKey: null,
};
const none: PeerCertificate = { presented: false, verified: false, failure: undefined, stationIds: [] };
const own: PeerCertificate = { presented: true, verified: true, failure: undefined, stationIds: ['st-a'] };
const untrusted: PeerCertificate = {
  presented: true,
  verified: false,
  failure: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  stationIds: ['st-a'],
};

const refused =
  (code: string) =>
  (error: unknown): boolean =>
    error instanceof AppError && error.code === code;

describe('checkStationCertificate', () => {
  test('required: a station token needs a verified certificate naming exactly its station', () => {
    checkStationCertificate('required', station, own);
    assert.throws(() => checkStationCertificate('required', station, none), refused('CLIENT_CERT_REQUIRED'));
    assert.throws(
      () => checkStationCertificate('required', station, untrusted),
      (error: unknown) => {
        assert.ok(refused('CLIENT_CERT_UNTRUSTED')(error));
        assert.deepEqual((error as AppError).extensions, { reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
        return true;
      },
    );
    for (const stationIds of [['st-b'], [], ['st-a', 'st-b']]) {
      assert.throws(
        () => checkStationCertificate('required', station, { ...own, stationIds }),
        (error: unknown) => {
          assert.ok(refused('CLIENT_CERT_WRONG_STATION')(error));
          assert.deepEqual((error as AppError).extensions, { stationId: 'st-a', certificateStations: stationIds });
          return true;
        },
      );
    }
  });

  test('optional: no certificate passes, a presented one must pass', () => {
    checkStationCertificate('optional', station, none);
    checkStationCertificate('optional', station, own);
    assert.throws(() => checkStationCertificate('optional', station, untrusted), refused('CLIENT_CERT_UNTRUSTED'));
    assert.throws(
      () => checkStationCertificate('optional', station, { ...own, stationIds: ['st-b'] }),
      refused('CLIENT_CERT_WRONG_STATION'),
    );
  });

  test('off, and every role but station: never asked', () => {
    checkStationCertificate('off', station, untrusted);
    for (const peer of [none, untrusted, { ...own, stationIds: ['st-b'] }])
      checkStationCertificate('required', mes, peer);
  });
});

describe('stationIdsOf', () => {
  test("reads the station URIs of Node's subjectaltname text, nothing else", () => {
    assert.deepEqual(stationIdsOf(undefined), []);
    assert.deepEqual(stationIdsOf('URI:urn:ingrain:station:line1-st3'), ['line1-st3']);
    assert.deepEqual(
      stationIdsOf('DNS:st-a.example, URI:urn:ingrain:station:st-a, URI:https://x/urn:ingrain:station:st-b, email:a@b'),
      ['st-a'],
    );
    assert.deepEqual(stationIdsOf('URI:urn:ingrain:station:st-a, URI:urn:ingrain:station:st-b'), ['st-a', 'st-b']);
    // Node quotes a value with special characters; such a value names no station.
    assert.deepEqual(stationIdsOf('URI:"urn:ingrain:station:a, URI:urn:ingrain:station:b"'), []);
  });
});
