import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../../testkit/stack/index.js';
import { parseMissionOptions, UsageError } from './options.js';

describe('parseMissionOptions', () => {
  test('defaults: .ingrain/demo under the repository, 32 devices, a free port, no --keep', () => {
    assert.deepEqual(parseMissionOptions([]), {
      dir: resolve(REPO_ROOT, '.ingrain', 'demo'),
      keep: false,
      apiPort: 0,
      devices: 32,
      timeoutMs: 600_000,
    });
  });

  test('flags', () => {
    const options = parseMissionOptions([
      '--dir',
      'x/y',
      '--keep',
      '--port',
      '8099',
      '--devices',
      '4',
      '--timeout-s',
      '9',
    ]);
    assert.deepEqual(options, { dir: resolve('x/y'), keep: true, apiPort: 8099, devices: 4, timeoutMs: 9000 });
  });

  test('--help', () => {
    assert.equal(parseMissionOptions(['--help']), 'help');
  });

  for (const args of [['--bogus'], ['--devices', '0'], ['--devices', 'many'], ['--port', '70000'], ['stray']])
    test(`refuses ${args.join(' ')} with the usage`, () => {
      assert.throws(
        () => parseMissionOptions(args),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.match(error.message, /Usage: npm run demo/);
          return true;
        },
      );
    });
});
