import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_PGLITE_SHARED_BUFFERS_MB } from '../database-config.js';
import { openPglite, pgliteStartParams } from './open-pglite.js';

async function settings(sharedBuffersMb: number | undefined, names: readonly string[]): Promise<string[]> {
  const { pglite } = await openPglite({ dataDir: undefined, sharedBuffersMb });
  try {
    const result = await pglite.query<{ setting: string }>(
      'select current_setting(name) as setting from unnest($1::text[]) with ordinality as n(name, i) order by i',
      [names],
    );
    return result.rows.map((row) => row.setting);
  } finally {
    await pglite.close();
  }
}

describe('openPglite', () => {
  test("keeps PGlite's start parameters and adds shared_buffers after them (the command line wins over postgresql.conf)", () => {
    assert.deepEqual(pgliteStartParams(['--single', '-F', '-c', 'search_path=public'], 24), [
      '--single',
      '-F',
      '-c',
      'search_path=public',
      '-c',
      'shared_buffers=24MB',
      '-c',
      'wal_buffers=4MB',
    ]);
  });

  test("runs PostgreSQL with the default shared_buffers, or the one asked for, and PGlite's other settings", async () => {
    assert.equal(DEFAULT_PGLITE_SHARED_BUFFERS_MB, 32);
    const names = ['shared_buffers', 'wal_buffers', 'search_path', 'fsync', 'synchronous_commit'];
    assert.deepEqual(await settings(undefined, names), ['32MB', '4MB', 'public', 'off', 'on']);
    assert.deepEqual(await settings(24, ['shared_buffers']), ['24MB']);
  });
});
