// The log anyone can monitor, against the real API: batched checkpoints (appends sign nothing; one
// signature covers them when a reader needs it, or per interval), the checkpoint history, bundles
// against a named checkpoint, and c2sp.org/tlog-tiles served to a client without a token only when
// INGRAIN_LOG_PUBLIC=true — and only on the tile, checkpoint and history routes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  decodeEntryBundle,
  decodeHashTile,
  hashLeaf,
  TreeFrontier,
  verifyCheckpoint,
  verifyInclusion,
} from '#ingrain/crypto';
import type { Response } from 'supertest';
import { PgLogStore } from '../../apps/api/src/repositories/index.js';
import { TrustService } from '../../apps/api/src/trust/index.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedProduction, type SeededProduction } from '../support/database.js';
import { provision } from '../support/logged-attestation.js';

interface HistoryBody {
  checkpoints: { treeSize: number; rootHash: string; note: string; createdAt: string }[];
  nextCursor: string | null;
}

function assertProblem(response: Response, status: number, code: string, path?: string): void {
  assert.equal(response.status, status, response.text);
  const body = response.body as { code: string; errors?: { path: string }[] };
  assert.equal(body.code, code);
  if (path !== undefined)
    assert.ok(
      body.errors?.some((issue) => issue.path === path),
      response.text,
    );
}

const binary = (response: Response): Uint8Array => new Uint8Array(response.body as Buffer);
const textOf = (response: Response): string => (response.body as Buffer).toString('utf8');

void describe('public log (INGRAIN_LOG_PUBLIC=true, integration only on demand)', () => {
  let api: TestApi;
  let auditor: string;
  let station: string;
  let seed: SeededProduction;
  const texts: string[] = [];
  const get = (path: string, token: string | null = null) => {
    const request = api
      .http()
      .get(path)
      .buffer(true)
      .parse(rawParser as never);
    return token === null ? request : request.set('Authorization', `Bearer ${token}`);
  };
  const json = async (path: string, token: string | null = null): Promise<Response> => {
    const response = await api
      .http()
      .get(path)
      .set(token === null ? {} : { Authorization: `Bearer ${token}` });
    return response;
  };
  const history = async (): Promise<number[]> =>
    ((await json('/v1/log/checkpoints?limit=1000')).body as HistoryBody).checkpoints.map((c) => c.treeSize);

  before(async () => {
    api = await startTestApi({
      env: { INGRAIN_LOG_PUBLIC: 'true', INGRAIN_LOG_CHECKPOINT_INTERVAL_MS: '86400000' },
    });
    auditor = await api.createToken('auditor');
    seed = await seedProduction(api.database.kysely);
    station = await api.createToken('station', 'tiles-station', seed.stationId);
    for (let i = 0; i < 3; i++) texts.push(await provision(api, seed, `TILE-${i}`));
  });
  after(() => api?.close());

  test('appends sign nothing; a bundle beyond the checkpoint integrates once; concurrent readers share one signature', async () => {
    assert.deepEqual(await history(), [0], 'three appends, no checkpoint signed');
    const tileCheckpoint = await get('/v1/log/tiles/checkpoint');
    assert.equal(tileCheckpoint.status, 200);
    assert.match(textOf(tileCheckpoint), /\n0\n/, 'the public checkpoint is the stored one: nothing signed for it');

    const bundle = await json('/v1/attestations/2/bundle', auditor);
    assert.equal(bundle.status, 200, bundle.text);
    assert.deepEqual(await history(), [0, 3], 'one checkpoint for the three appends');

    for (let i = 3; i < 5; i++) texts.push(await provision(api, seed, `TILE-${i}`));
    const answers = await Promise.all([3, 4, 3, 4].map((leaf) => json(`/v1/attestations/${leaf}/bundle`, auditor)));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200, 200, 200],
    );
    assert.deepEqual(await history(), [0, 3, 5], 'four concurrent requests, one signature');
    const metrics = await api.http().get('/metrics');
    assert.match(metrics.text, /^ingrain_log_checkpoints_signed_total 3$/m);
  });

  test('tiles without a token: checkpoint, hash tile, entry bundle, exact bytes and caching headers', async () => {
    const logKey = api.app.get(TrustService).logSigner.publicKeySpkiDer;
    const noteResponse = await get('/v1/log/tiles/checkpoint');
    assert.equal(noteResponse.status, 200);
    assert.match(String(noteResponse.headers['content-type']), /^text\/plain/);
    const checkpoint = verifyCheckpoint(textOf(noteResponse), logKey, api.config.logOrigin);
    assert.equal(checkpoint.treeSize, 5);

    const hashes = await get('/v1/log/tiles/tile/0/000.p/5');
    assert.equal(hashes.status, 200);
    assert.equal(hashes.headers['content-type'], 'application/octet-stream');
    assert.equal(hashes.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(
      decodeHashTile(binary(hashes), 5).map((hash) => Buffer.from(hash).toString('hex')),
      texts.map((text) => Buffer.from(hashLeaf(Buffer.from(text))).toString('hex')),
    );
    const entries = await get('/v1/log/tiles/tile/entries/000.p/5');
    assert.equal(entries.status, 200);
    const decoded = decodeEntryBundle(binary(entries), 5);
    assert.deepEqual(
      decoded.map((entry) => Buffer.from(entry).toString('utf8')),
      texts,
    );
    const frontier = new TreeFrontier();
    for (const entry of decoded) frontier.appendLeaf(entry);
    assert.deepEqual(Buffer.from(frontier.root()), Buffer.from(checkpoint.rootHash), 'the entries rebuild the root');
    const prefix = await get('/v1/log/tiles/tile/entries/000.p/2');
    assert.equal(decodeEntryBundle(binary(prefix), 2).length, 2, 'a narrower partial tile is its prefix');

    for (const path of [
      'tile/0/000',
      'tile/0/000.p/6',
      'tile/entries/001.p/1',
      'tile/1/000.p/1',
      'tile/0/5',
      'tile/x/000',
    ]) {
      assertProblem(await json(`/v1/log/tiles/${path}`), 404, 'LOG_TILE_NOT_FOUND');
    }
    assert.equal((await get('/v1/log/tiles/checkpoint', station)).status, 200, 'public: any caller reads tiles');
  });

  test('only the tile, checkpoint and history routes are public: every other route keeps its role', async () => {
    assert.equal((await json('/v1/log/checkpoints')).status, 200);
    for (const path of [
      '/v1/attestations',
      '/v1/attestations/0',
      '/v1/attestations/0/bundle',
      '/v1/log/checkpoint',
      '/v1/log/consistency?from=3',
      '/v1/keys',
    ]) {
      assertProblem(await json(path), 401, 'AUTH_REQUIRED');
      assertProblem(await json(path, station), 403, 'ROLE_FORBIDDEN');
    }
  });

  test('history is cursor paged, oldest first; a bad cursor or one of another list is CURSOR_INVALID naming it', async () => {
    const first = (await json('/v1/log/checkpoints?limit=2')).body as HistoryBody;
    assert.deepEqual(
      first.checkpoints.map((c) => c.treeSize),
      [0, 3],
    );
    assert.ok(first.nextCursor !== null);
    const second = (await json(`/v1/log/checkpoints?limit=2&cursor=${first.nextCursor}`)).body as HistoryBody;
    assert.deepEqual(
      second.checkpoints.map((c) => c.treeSize),
      [5],
    );
    assert.equal(second.nextCursor, null);
    const logKey = api.app.get(TrustService).logSigner.publicKeySpkiDer;
    for (const entry of [...first.checkpoints, ...second.checkpoints]) {
      const verified = verifyCheckpoint(entry.note, logKey, api.config.logOrigin);
      assert.equal(Buffer.from(verified.rootHash).toString('base64'), entry.rootHash);
    }
    assertProblem(await json('/v1/log/checkpoints?cursor=nope'), 400, 'CURSOR_INVALID', 'query.cursor');
    const attestationCursor = Buffer.from(JSON.stringify({ l: 'attestations', k: [1] })).toString('base64url');
    assertProblem(await json(`/v1/log/checkpoints?cursor=${attestationCursor}`), 400, 'CURSOR_INVALID', 'query.cursor');
  });

  test('a bundle against a named checkpoint proves inclusion in that tree; unknown size 404, uncovered leaf 422', async () => {
    const response = await json('/v1/attestations/1/bundle?treeSize=3', auditor);
    assert.equal(response.status, 200, response.text);
    const bundle = response.body as { log: { leafIndex: number; inclusionProof: string[]; checkpoint: string } };
    const logKey = api.app.get(TrustService).logSigner.publicKeySpkiDer;
    const checkpoint = verifyCheckpoint(bundle.log.checkpoint, logKey, api.config.logOrigin);
    assert.equal(checkpoint.treeSize, 3);
    const proof = bundle.log.inclusionProof.map((hash) => Buffer.from(hash, 'base64'));
    verifyInclusion({ leafBytes: Buffer.from(texts[1]!) }, 1, 3, proof, checkpoint.rootHash);
    assertProblem(
      await json('/v1/attestations/1/bundle?treeSize=4', auditor),
      404,
      'CHECKPOINT_NOT_FOUND',
      'query.treeSize',
    );
    assertProblem(
      await json('/v1/attestations/4/bundle?treeSize=3', auditor),
      422,
      'LEAF_NOT_IN_CHECKPOINT',
      'query.treeSize',
    );
    assertProblem(
      await json('/v1/attestations/1/bundle?treeSize=0', auditor),
      400,
      'VALIDATION_FAILED',
      'query.treeSize',
    );
  });
});

void describe('log not public (default), integrated per interval', () => {
  let api: TestApi;
  let auditor: string;
  before(async () => {
    api = await startTestApi({ env: { INGRAIN_LOG_CHECKPOINT_INTERVAL_MS: '50' } });
    auditor = await api.createToken('auditor');
  });
  after(() => api?.close());

  test('tiles, checkpoint and history need the auditor role', async () => {
    for (const path of ['/v1/log/tiles/checkpoint', '/v1/log/tiles/tile/0/000.p/1', '/v1/log/checkpoints']) {
      assertProblem(await api.http().get(path), 401, 'AUTH_REQUIRED');
    }
    const allowed = await api.http().get('/v1/log/tiles/checkpoint').set('Authorization', `Bearer ${auditor}`);
    assert.equal(allowed.status, 200);
  });

  test('waiting entries get a checkpoint from the interval alone, without any reader asking', async () => {
    const seed = await seedProduction(api.database.kysely);
    await provision(api, seed, 'TICK-0');
    await provision(api, seed, 'TICK-1');
    const store = new PgLogStore(api.database.kysely);
    // Polls the stored checkpoints only (they never integrate); the test runner's timeout bounds it.
    while ((await store.readLatestCheckpoint())?.treeSize !== 2) await delay(20);
  });
});

/** Supertest parser keeping the body as bytes (tiles are binary). */
function rawParser(response: NodeJS.ReadableStream, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => callback(null, Buffer.concat(chunks)));
}
