// The runtime build (tsconfig.build.json, what npm run build emits and the bin/ shims run) holds the
// apps and libraries only. Its `exclude` keeps test files out of the file list, but tsc still
// compiles any file a runtime file imports: so this asks tsc for the program it would build.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { isAbsolute, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../testkit/paths.js';

const run = promisify(execFile);

/** The repository's own files of the runtime program, relative to the root with `/` separators. */
async function runtimeProgramFiles(): Promise<string[]> {
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((file) =>
      relative(REPO_ROOT, isAbsolute(file) ? file : join(REPO_ROOT, file))
        .split(sep)
        .join('/'),
    )
    .filter((file) => !file.startsWith('../') && !file.startsWith('node_modules/'));
}

/** Why a file must not be in the runtime build, or undefined when it belongs there. */
function testOnlyReason(file: string): string | undefined {
  if (/\.spec\.ts$/.test(file)) return 'a unit spec';
  if (/(^|\/)(testing|test-support)\//.test(file)) return 'a test helper (testing/)';
  if (/^(test|testkit|demo|bench)\//.test(file)) return 'test, testkit, demo or bench code';
  if (!/^(apps|libs)\/[^/]+\/src\//.test(file)) return 'outside apps/*/src and libs/*/src';
  return undefined;
}

describe('runtime build (tsconfig.build.json)', () => {
  test('compiles the apps and libraries and nothing only tests use', { timeout: 120_000 }, async () => {
    const files = await runtimeProgramFiles();
    assert.ok(
      files.includes('apps/api/src/main.ts'),
      `the runtime program lacks apps/api/src/main.ts: ${files.length} files`,
    );
    assert.ok(files.includes('apps/station/src/main.ts'), 'the runtime program lacks apps/station/src/main.ts');
    const offenders = files.flatMap((file) => {
      const reason = testOnlyReason(file);
      return reason === undefined ? [] : [`${file}: ${reason}`];
    });
    assert.deepEqual(offenders, [], 'runtime code imports these files (or tsconfig.build.json includes them)');
  });
});
