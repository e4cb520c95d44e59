import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DirectoryFixtureControl, portKey } from './fixture-control.js';

test('a release is one complete JSON file named after the port and the chip', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-release-spec-'));
  try {
    const control = new DirectoryFixtureControl(join(dir, 'releases'));
    await control.release({ port: '/dev/pts/5', chipUid: 'aabb', bin: 'quarantine', reason: 'STATION_CHIP_CONFLICT' });
    const names = await readdir(join(dir, 'releases'));
    assert.equal(names.length, 1, 'no temporary file is left');
    const name = names[0] ?? '';
    assert.ok(name.startsWith('dev-pts-5-aabb-') && name.endsWith('.json'));
    const body = JSON.parse(await readFile(join(dir, 'releases', name), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(
      { ...body, requestedAt: typeof body['requestedAt'] },
      {
        formatVersion: 1,
        port: '/dev/pts/5',
        chipUid: 'aabb',
        bin: 'quarantine',
        reason: 'STATION_CHIP_CONFLICT',
        requestedAt: 'string',
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('portKey makes a file-name-safe key', () => {
  assert.equal(portKey('/dev/pts/12'), 'dev-pts-12');
  assert.equal(portKey('COM3'), 'COM3');
});

test('carriedOut: true once the handler deleted the port request file, false while it waits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-release-spec-'));
  try {
    const control = new DirectoryFixtureControl(dir);
    assert.equal(await control.carriedOut('/dev/pts/7', 0), true, 'nothing was asked for this port');
    await control.release({ port: '/dev/pts/7', chipUid: 'ccdd', bin: 'done', reason: 'provisioned' });
    assert.equal(await control.carriedOut('/dev/pts/7', 30), false, 'the handler has not taken it yet');
    const [name] = await readdir(dir);
    const waiting = control.carriedOut('/dev/pts/7', 5_000);
    await unlink(join(dir, name ?? ''));
    assert.equal(await waiting, true);
    const aborted = new AbortController();
    await control.release({ port: '/dev/pts/7', chipUid: 'eeff', bin: 'done', reason: 'provisioned' });
    aborted.abort();
    assert.equal(await control.carriedOut('/dev/pts/7', 5_000, aborted.signal), false, 'a stop ends the wait');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
