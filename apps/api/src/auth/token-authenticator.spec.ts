import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import type { FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config/api-config.js';
import { AppError } from '../errors/app-error.js';
import { Metrics } from '../metrics/metrics.js';
import { TokenRepository, type ActiveApiToken } from '../repositories/token-repository.js';
import { automock, callsOf, resolves, stub } from '../testing/automock.js';
import { TokensService } from '../tokens/tokens.service.js';
import { generateToken, hashToken } from './api-token.js';
import { PrincipalCache } from './principal-cache.js';
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
  const cache = new PrincipalCache({ ttlMs: TTL_MS });
  return { tokens, authenticator: new TokenAuthenticator(tokens, config, new Metrics(), cache) };
}

const TTL_MS = 2000;

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

/** The api_tokens rows several "API processes" share: by hash, revocable. */
class SharedTokens {
  readonly #active = new Map<string, ActiveApiToken>();
  reads = 0;

  add(token: string, record: ActiveApiToken): void {
    this.#active.set(Buffer.from(hashToken(token)).toString('hex'), record);
  }

  find(hash: Uint8Array): ActiveApiToken | undefined {
    this.reads += 1;
    return this.#active.get(Buffer.from(hash).toString('hex'));
  }

  /** One process's TokenRepository over these rows. */
  repository(): TokenRepository {
    const tokens = automock(TokenRepository);
    stub(tokens, 'findActiveByHash', (hash) => Promise.resolve(this.find(hash)));
    stub(tokens, 'revoke', (id) => {
      const entry = [...this.#active].find(([, record]) => record.id === id);
      if (entry !== undefined) this.#active.delete(entry[0]);
      return Promise.resolve(entry !== undefined);
    });
    resolves(tokens, 'touch', undefined);
    return tokens;
  }
}

/** One API process: its authenticator and token service over `shared`, its own cache on `clock`. */
function apiProcess(shared: SharedTokens, clock: { nowMs: number }, ttlMs = TTL_MS) {
  const tokens = shared.repository();
  const config = { authFailureLimit: { maxFailures: MAX_FAILURES, windowMs: 60_000 } } as ApiConfig;
  const cache = new PrincipalCache({ ttlMs, now: () => clock.nowMs });
  const authenticator = new TokenAuthenticator(tokens, config, new Metrics(), cache);
  return { tokens, cache, authenticator, service: new TokensService(tokens, cache) };
}

const STATION_RECORD: ActiveApiToken = {
  ...RECORD,
  id: 'token-2',
  name: 'station-st-1',
  role: 'station',
  stationId: 'st-1',
  stationLine: 'line-a',
};

describe('TokenAuthenticator with its principal cache (INGRAIN_AUTH_CACHE_TTL_MS)', () => {
  test('a success is reused within the TTL (one read); failures are read every time and still limited', async () => {
    const shared = new SharedTokens();
    shared.add(VALID.token, RECORD);
    const clock = { nowMs: 1_000_000 };
    const { authenticator } = apiProcess(shared, clock);
    for (let n = 0; n < 3; n++)
      assert.equal((await authenticator.authenticate(request(VALID.token))).tokenId, 'token-1');
    assert.equal(shared.reads, 1);
    clock.nowMs += TTL_MS;
    await authenticator.authenticate(request(VALID.token));
    assert.equal(shared.reads, 2, 'read again once the entry is TTL old');

    for (let n = 0; n < MAX_FAILURES; n++) {
      assert.equal(await codeOf(authenticator.authenticate(request(badToken(1)))), 'AUTH_INVALID');
    }
    assert.equal(shared.reads, 2 + MAX_FAILURES, 'an unknown token is looked up each time');
    assert.equal(await codeOf(authenticator.authenticate(request(badToken(1)))), 'AUTH_RATE_LIMITED');
  });

  test('a token unknown a moment ago works as soon as it is created (failures are not remembered)', async () => {
    const shared = new SharedTokens();
    const { authenticator } = apiProcess(shared, { nowMs: 0 });
    assert.equal(await codeOf(authenticator.authenticate(request(VALID.token))), 'AUTH_INVALID');
    shared.add(VALID.token, RECORD);
    assert.equal((await authenticator.authenticate(request(VALID.token))).tokenId, 'token-1');
  });

  test('revoked: refused at once by the process that revoked it, by another process once the TTL is over', async () => {
    const shared = new SharedTokens();
    shared.add(VALID.token, RECORD);
    const clock = { nowMs: 5_000 };
    const a = apiProcess(shared, clock);
    const b = apiProcess(shared, clock);
    await a.authenticator.authenticate(request(VALID.token));
    await b.authenticator.authenticate(request(VALID.token));
    assert.equal(shared.reads, 2);

    await a.service.revoke('token-1');
    assert.equal(await codeOf(a.authenticator.authenticate(request(VALID.token))), 'AUTH_INVALID');
    clock.nowMs += TTL_MS - 1;
    // The other process has not heard of it: its entry still answers, for at most the TTL.
    assert.equal((await b.authenticator.authenticate(request(VALID.token))).tokenId, 'token-1');
    clock.nowMs += 1;
    assert.equal(await codeOf(b.authenticator.authenticate(request(VALID.token))), 'AUTH_INVALID');
  });

  test('a lookup still reading when the token is revoked is not remembered', async () => {
    const shared = new SharedTokens();
    shared.add(VALID.token, RECORD);
    const a = apiProcess(shared, { nowMs: 0 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    stub(a.tokens, 'findActiveByHash', async (hash) => {
      const record = shared.find(hash); // read before the revocation…
      await gate; // …answered after it
      return record;
    });
    const inFlight = a.authenticator.authenticate(request(VALID.token));
    await Promise.resolve();
    await a.service.revoke('token-1');
    release();
    assert.equal((await inFlight).tokenId, 'token-1', 'concurrent with the revocation: may pass');
    assert.equal(await codeOf(a.authenticator.authenticate(request(VALID.token))), 'AUTH_INVALID');
  });

  test("a station's change (new sealing key) drops its tokens' entries; other tokens stay", async () => {
    const shared = new SharedTokens();
    const station = generateToken();
    shared.add(VALID.token, RECORD);
    shared.add(station.token, STATION_RECORD);
    const { authenticator, cache } = apiProcess(shared, { nowMs: 0 });
    await authenticator.authenticate(request(VALID.token));
    await authenticator.authenticate(request(station.token));
    cache.forgetStation('st-1');
    await authenticator.authenticate(request(VALID.token));
    await authenticator.authenticate(request(station.token));
    assert.equal(shared.reads, 3);
  });

  test('holds no token secret: keys are the SHA-256, values the principal', async () => {
    const shared = new SharedTokens();
    const station = generateToken();
    shared.add(VALID.token, RECORD);
    shared.add(station.token, STATION_RECORD);
    const { authenticator, cache } = apiProcess(shared, { nowMs: 0 });
    await authenticator.authenticate(request(VALID.token));
    await authenticator.authenticate(request(station.token));
    const entries = cache.entries();
    assert.equal(entries.length, 2);
    const held = JSON.stringify(entries) + inspect(cache, { depth: 10, showHidden: true });
    for (const { token } of [VALID, station]) {
      assert.equal(held.includes(token), false);
      assert.equal(held.includes(token.slice('ingr_'.length)), false);
    }
    assert.deepEqual(
      entries.map(([key]) => key),
      [VALID.tokenHash, station.tokenHash].map((hash) => Buffer.from(hash).toString('base64url')),
    );
  });

  test('INGRAIN_AUTH_CACHE_TTL_MS=0: every request reads its token', async () => {
    const shared = new SharedTokens();
    shared.add(VALID.token, RECORD);
    const { authenticator, cache } = apiProcess(shared, { nowMs: 0 }, 0);
    for (let n = 0; n < 3; n++) await authenticator.authenticate(request(VALID.token));
    assert.equal(shared.reads, 3);
    assert.equal(cache.size, 0);
  });
});
