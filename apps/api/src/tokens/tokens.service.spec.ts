import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { DatabaseError } from '../database/errors.js';
import { TokenRepository, type ApiTokenRecord } from '../repositories/token-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import { TokensService } from './tokens.service.js';

const TOKEN_ID = '5e0c1d2a-3b4c-4d5e-8f60-718293a4b5c6';

function tokenRecord(overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord {
  return {
    id: TOKEN_ID,
    name: 'mes-1',
    role: 'mes',
    stationId: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

describe('TokensService', () => {
  let tokens: Automocked<TokenRepository>;
  let service: TokensService;

  beforeEach(() => {
    tokens = automock(TokenRepository);
    service = new TokensService(tokens);
  });

  test('create stores only the hash and returns the secret once', async () => {
    resolves(tokens, 'create', tokenRecord());
    const created = await service.create({ name: 'mes-1', role: 'mes' });
    const [[stored]] = callsOf(tokens, 'create') as [Parameters<TokenRepository['create']>];
    assert.equal(stored.tokenHash.length, 32);
    assert.ok(created.token.length > 0);
    assert.ok(!JSON.stringify(stored).includes(created.token), 'the secret is not stored');
  });

  test('a station token of an unknown station: STATION_NOT_FOUND', async () => {
    stub(tokens, 'create', () => Promise.reject(new DatabaseError('FOREIGN_KEY_VIOLATION', 'fk')));
    await assert.rejects(service.create({ name: 's', role: 'station', stationId: 'nope' } as never), {
      code: 'STATION_NOT_FOUND',
    });
  });

  test('revoke: done, already revoked (succeeds), or TOKEN_NOT_FOUND', async () => {
    resolves(tokens, 'revoke', true);
    await service.revoke(TOKEN_ID);
    assert.equal(callsOf(tokens, 'get').length, 0);
    resolves(tokens, 'revoke', false);
    resolves(tokens, 'get', tokenRecord({ revokedAt: new Date() }));
    await service.revoke(TOKEN_ID);
    resolves(tokens, 'get', undefined);
    await assert.rejects(service.revoke(TOKEN_ID), { code: 'TOKEN_NOT_FOUND' });
  });
});
