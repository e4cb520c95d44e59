import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { createLogger, defaultLogFormat, logDestination, REDACTED } from './log-options.js';

const SECRET = 'S3CRET-VALUE-0123456789';

function memory() {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('libs/logging', () => {
  test('JSON lines: ISO time, numeric level, msg, component and the base fields', () => {
    const sink = memory();
    createLogger({ level: 'info', component: 'station', base: { stationId: 'st-1' } }, sink).warn(
      { code: 'BOOTLOADER_TIMEOUT', deviceId: 'd-1' },
      'cycle-link-error',
    );
    const line = JSON.parse(sink.lines[0] ?? '') as Record<string, unknown>;
    assert.match(String(line['time']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.deepEqual(
      [line['level'], line['msg'], line['component'], line['stationId'], line['code'], line['deviceId']],
      [40, 'cycle-link-error', 'station', 'st-1', 'BOOTLOADER_TIMEOUT', 'd-1'],
    );
  });

  test('every secret path is redacted, top level and one level down', () => {
    const sink = memory();
    const logger = createLogger({ level: 'info', component: 'api' }, sink);
    const keys = ['authorization', 'cookie', 'token', 'pin', 'password', 'secret', 'privateKey', 'sessionId'];
    const fields = Object.fromEntries(keys.map((key) => [key, SECRET]));
    logger.info(
      { ...fields, nested: fields, req: { headers: { authorization: `Bearer ${SECRET}`, cookie: SECRET } } },
      'x',
    );
    logger.info({ headers: { authorization: SECRET, 'set-cookie': SECRET } }, 'y');
    const text = sink.lines.join('');
    assert.ok(!text.includes(SECRET), text);
    const line = JSON.parse(sink.lines[0] ?? '') as Record<string, Record<string, unknown>>;
    assert.equal(line['nested']?.['token'], REDACTED);
    assert.equal(line['token'], REDACTED);
  });

  test('one level down: the logged objects are not modified, an error keeps its message, lines without secrets pass as they are', () => {
    const sink = memory();
    const logger = createLogger({ level: 'info', component: 'api' }, sink);
    const nested = { token: SECRET, deviceId: 'd-1' };
    const err = Object.assign(new Error('link lost'), { secret: SECRET });
    logger.error({ nested, err, list: [SECRET.length], count: 3 }, 'x');
    logger.info({ method: 'GET', status: 404, headers: { accept: 'application/json' } }, 'y');
    assert.equal(nested.token, SECRET, 'the caller’s object is left alone');
    assert.equal(err.secret, SECRET);
    const text = sink.lines.join('');
    assert.ok(!text.includes(SECRET), text);
    const [first, second] = sink.lines.map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
    assert.deepEqual(first?.['nested'], { token: REDACTED, deviceId: 'd-1' });
    assert.equal(first?.['err']?.['message'], 'link lost');
    assert.equal(first?.['err']?.['secret'], REDACTED);
    assert.deepEqual(second?.['headers'], { accept: 'application/json' });
  });

  test('pretty: one readable line per entry, without JSON braces, secrets still redacted', () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const logger = createLogger({ level: 'info', component: 'station' }, logDestination({ format: 'pretty', stream }));
    logger.warn({ code: 'BOOTLOADER_NACK', token: SECRET }, 'cycle-link-error');
    const text = chunks.join('');
    assert.match(text, /WARN.*cycle-link-error/);
    assert.match(text, /code: "BOOTLOADER_NACK"/);
    assert.ok(!text.includes(SECRET));
    assert.ok(!text.trimStart().startsWith('{'));
  });

  test('a file gets JSON lines whatever the terminal format', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingrain-log-'));
    try {
      const file = join(dir, 'sub', 'station.log');
      const stream = new PassThrough();
      stream.resume();
      const logger = createLogger(
        { level: 'info', component: 'station' },
        logDestination({ format: 'pretty', stream, file }),
      );
      logger.info({ deviceId: 'd-1' }, 'chip-finished');
      logger.debug('below the level');
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      assert.equal(lines.length, 1);
      assert.equal((JSON.parse(lines[0] ?? '') as { msg: string }).msg, 'chip-finished');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('default format: pretty on a terminal, JSON otherwise', () => {
    assert.equal(defaultLogFormat({ isTTY: true }), 'pretty');
    assert.equal(defaultLogFormat({}), 'json');
  });
});
