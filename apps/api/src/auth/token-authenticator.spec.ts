import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config/api-config.js';
import { AppError } from '../errors/app-error.js';
import { Metrics } from '../metrics/metrics.js';
import { TokenRepository, type ActiveApiToken } from '../repositories/token-repository.js';
import { automock, callsOf, resolves, stub } from '../testing/automock.js';
import { generateToken, hashToken } from './api-token.js';
import { TokenAuthenticator } from './token-authenticator.js';

const MAX_FAILURES = 3;
const VALID = generateToken();
const RECORD: ActiveApiToken = {
  id: 'token-1',
  name: 'mes-line-1',
  role: 'mes',
  stationId: null,
  createdAt: new Date(0),
  lastUsedAt: null,
  revokedAt: null,
  stationLine: null,
  stationSealingKey: null,
};

function setUp() {
  const tokens = automock(TokenRepository);
  stub(tokens, 'findActiveByHash', (hash) =>
    Promise.resolve(Buffer.from(hash).equals(Buffer.from(VALID.tokenHash)) ? RECORD : undefined),
  );
  resolves(tokens, 'touch', undefined);
  const config = { authFailureLimit: { maxFailures: MAX_FAILURES, windowMs: 60_000 } } as ApiConfig;
  return { tokens, authenticator: new TokenAuthenticator(tokens, config, new Metrics()) };
}

function request(token: string | undefined, ip = '10.0.0.7'): FastifyRequest {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return { ip, headers, log: { warn: () => undefined } } as unknown as FastifyRequest;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error.code;
  }
  return 'none';
}

const badToken = (n: number) => `ingr_${Buffer.alloc(32, n).toString('base64url')}`;

describe('TokenAuthenticator', () => {
  test('a valid token authenticates even from an address that is rate-limited (issue 9, defect 4)', async () => {
    const { authenticator } = setUp();
    for (let n = 0; n < MAX_FAILURES; n++) {
      assert.equal(await codeOf(authenticator.authenticate(request(badToken(n)))), 'AUTH_INVALID');
    }
    assert.equal(await codeOf(authenticator.authenticate(request(badToken(9)))), 'AUTH_RATE_LIMITED');
    assert.equal(await codeOf(authenticator.authenticate(request('not-even-a-token'))), 'AUTH_RATE_LIMITED');
    const principal = await authenticator.authenticate(request(VALID.token));
    assert.deepEqual(principal, {
      tokenId: 'token-1',
      tokenName: 'mes-line-1',
      role: 'mes',
      stationId: null,
      stationLine: null,
      stationSealingKey: null,
    });
    assert.equal(await codeOf(authenticator.authenticate(request(badToken(9)))), 'AUTH_RATE_LIMITED');
    assert.equal(await codeOf(authenticator.authenticate(request(badToken(9), '10.0.0.8'))), 'AUTH_INVALID');
  });

  test('a missing header is AUTH_REQUIRED and never counts as a failure', async () => {
    const { authenticator, tokens } = setUp();
    for (let n = 0; n < MAX_FAILURES + 2; n++) {
      assert.equal(await codeOf(authenticator.authenticate(request(undefined))), 'AUTH_REQUIRED');
    }
    assert.equal(await codeOf(authenticator.authenticate(request(badToken(1)))), 'AUTH_INVALID');
    assert.deepEqual(callsOf(tokens, 'findActiveByHash'), [[hashToken(badToken(1))]]);
  });
});
