import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCliArgs } from '../cli/cli-args.js';
import { SimulatorError } from '#ingrain/simulator';

test('--feeder --release-dir DIR [--chips-per-fixture N]', () => {
  const command = parseCliArgs([
    '--family',
    'stm32f4',
    '--feeder',
    '--release-dir',
    '/tmp/r',
    '--chips-per-fixture',
    '5',
  ]);
  assert.equal(command.kind, 'run');
  assert.deepEqual(command.kind === 'run' ? command.options.feeder : undefined, {
    releaseDir: '/tmp/r',
    chipsPerFixture: 5,
  });
  const plain = parseCliArgs(['--family', 'stm32f4']);
  assert.equal(plain.kind === 'run' && 'feeder' in plain.options, false);
});

test('feeder flags need each other', () => {
  const usage = (error: unknown) => error instanceof SimulatorError && error.code === 'SIM_CLI_USAGE';
  assert.throws(() => parseCliArgs(['--family', 'stm32f4', '--feeder']), usage);
  assert.throws(() => parseCliArgs(['--family', 'stm32f4', '--release-dir', '/tmp/r']), usage);
  assert.throws(
    () => parseCliArgs(['--family', 'stm32f4', '--feeder', '--release-dir', '/r', '--chips-per-fixture', '0']),
    usage,
  );
});
