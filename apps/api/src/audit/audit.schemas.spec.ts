import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AttestationSearchQuery, ConsistencyQuery, LeafIndex } from './audit.schemas.js';

const issuePaths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((issue) => issue.path.join('.')) ?? [];

void describe('audit request schemas', () => {
  void test('leaf indices are whole numbers from 0 to 2^53 - 1', () => {
    assert.equal(LeafIndex.parse('0'), 0);
    assert.equal(LeafIndex.parse('9007199254740991'), Number.MAX_SAFE_INTEGER);
    for (const bad of ['-1', '1.5', 'abc', '9007199254740992'])
      assert.equal(LeafIndex.safeParse(bad).success, false, bad);
  });

  void test('search: filters parsed into what the repository takes, defaults for paging', () => {
    const query = AttestationSearchQuery.parse({
      chipUid: 'A0B1',
      from: '2030-01-01T00:00:00+01:00',
      to: '2030-01-02T00:00:00Z',
    });
    assert.deepEqual(query.chipUid, Uint8Array.from([0xa0, 0xb1]));
    assert.equal(query.from?.toISOString(), '2029-12-31T23:00:00.000Z');
    assert.deepEqual([query.limit, query.offset, query.cursor], [100, undefined, undefined]);
  });

  void test('search: bad values and unknown parameters name their field', () => {
    assert.deepEqual(issuePaths(AttestationSearchQuery.safeParse({ chipUid: 'abc' })), ['chipUid']);
    assert.deepEqual(issuePaths(AttestationSearchQuery.safeParse({ limit: '501' })), ['limit']);
    const sameInstant = { from: '2030-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
    assert.deepEqual(issuePaths(AttestationSearchQuery.safeParse(sameInstant)), ['to']);
    assert.equal(AttestationSearchQuery.safeParse({ state: 'provisioned' }).success, false);
  });

  void test('search: unparseable dates are issues, not exceptions (issue 9, defect 7)', () => {
    assert.deepEqual(issuePaths(AttestationSearchQuery.safeParse({ from: '2026-12-06', to: 'yesterday' })), [
      'from',
      'to',
    ]);
    assert.deepEqual(issuePaths(AttestationSearchQuery.safeParse({ from: '2026-12-06T00:00:00Z', to: 'yesterday' })), [
      'to',
    ]);
  });

  void test('consistency: from required, to optional, from ≤ to', () => {
    assert.deepEqual(ConsistencyQuery.parse({ from: '2' }), { from: 2 });
    assert.deepEqual(ConsistencyQuery.parse({ from: '2', to: '2' }), { from: 2, to: 2 });
    assert.deepEqual(issuePaths(ConsistencyQuery.safeParse({ from: '3', to: '2' })), ['from']);
    assert.deepEqual(issuePaths(ConsistencyQuery.safeParse({})), ['from']);
  });
});
