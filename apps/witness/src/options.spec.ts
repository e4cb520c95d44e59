import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_PORT, parseWitnessCommand } from './options.js';

void describe('ingrain-witness options', () => {
  void test('init, vkey and serve with their flags', () => {
    assert.deepEqual(parseWitnessCommand(['init', '--key-file', 'k', '--name', 'w.example/a']), {
      command: 'init',
      keyFile: 'k',
      name: 'w.example/a',
    });
    assert.deepEqual(parseWitnessCommand(['vkey', '--key-file', 'k']), { command: 'vkey', keyFile: 'k' });
    const serve = ['serve', '--key-file', 'k', '--state-file', 's', '--log-vkey', 'v1', '--log-vkey', 'v2'];
    assert.deepEqual(parseWitnessCommand(serve), {
      command: 'serve',
      keyFile: 'k',
      stateFile: 's',
      logVkeys: ['v1', 'v2'],
      port: DEFAULT_PORT,
      host: '127.0.0.1',
    });
    assert.deepEqual(parseWitnessCommand([]), { command: 'help' });
  });

  void test('usage errors name the flag and the reason', () => {
    const usage = (argv: string[], message: RegExp) =>
      assert.throws(() => parseWitnessCommand(argv), { code: 'WITNESS_USAGE', message });
    usage(['sign'], /"sign" is not a command/);
    usage(['init', '--key-file', 'k'], /--name: missing/);
    usage(['init', '--key-file', 'k', '--name', 'n', '--port', '1'], /--port: not an option of "init"/);
    usage(['serve', '--key-file', 'k', '--state-file', 's'], /--log-vkey: missing/);
    usage(['serve', '--key-file', 'k', '--state-file', 's', '--log-vkey', 'v', '--port', '70000'], /--port: must be/);
    usage(['serve', '--key-file', 'k', '--bogus'], /bogus/);
  });
});
