import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ReleaseRequest } from './release-request.js';
import { ReleaseWatcher } from './release-watcher.js';

const request = (chipUid: string) => ({
  formatVersion: 1,
  port: '/dev/pts/4',
  chipUid,
  bin: 'done',
  reason: 'provisioned',
});

test('requests are carried out in name order and deleted; invalid ones are deleted; writes in progress wait', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-release-watch-'));
  const seen: ReleaseRequest[] = [];
  const lines: string[] = [];
  const watcher = new ReleaseWatcher(
    dir,
    (r) => seen.push(r),
    (line) => lines.push(line),
  );
  try {
    await writeFile(join(dir, 'b.json'), JSON.stringify(request('bb')));
    await writeFile(join(dir, 'a.json'), JSON.stringify(request('aa')));
    await writeFile(join(dir, 'c.json'), '{"formatVersion":2}');
    await writeFile(join(dir, '.d.json.tmp'), JSON.stringify(request('dd')));
    await watcher.start();
    assert.deepEqual(
      seen.map((r) => r.chipUid),
      ['aa', 'bb'],
    );
    assert.ok(lines.some((line) => line.includes('c.json')));
    assert.deepEqual(await readdir(dir), ['.d.json.tmp']);

    await writeFile(join(dir, 'e.json'), JSON.stringify({ ...request('ee'), chipUid: null, bin: 'quarantine' }));
    await watcher.scan();
    assert.deepEqual(seen.at(-1), { ...request('ee'), chipUid: null, bin: 'quarantine' });
  } finally {
    await watcher.close();
    await rm(dir, { recursive: true, force: true });
  }
});
