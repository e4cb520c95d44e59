import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLineFlags, parseStart } from './lines-args.js';

describe('--lines, --gpio-chip, --sim-control, --start', () => {
  test('no --lines: undefined; --gpio-chip or --sim-control alone are refused', () => {
    assert.equal(parseLineFlags({}), undefined);
    assert.throws(() => parseLineFlags({ 'gpio-chip': 'gpiochip0' }), {
      code: 'STATION_USAGE',
      message: /--gpio-chip needs --lines/,
    });
    assert.throws(() => parseLineFlags({ 'sim-control': '/tmp/s' }), { message: /--sim-control needs --lines/ });
  });

  test('the stm32flash -i text is parsed once, with its GPIO chip', () => {
    const lines = parseLineFlags({ lines: '17&27,-27:-17', 'gpio-chip': 'gpiochip0' });
    assert.equal(lines?.text, '17&27,-27:-17');
    assert.equal(lines?.gpioChip, 'gpiochip0');
    assert.equal(lines?.sequences.entry.length, 4);
    assert.equal(lines?.sequences.exit?.length, 1);
  });

  test('a bad text names the character; an empty one is refused', () => {
    assert.throws(() => parseLineFlags({ lines: 'rts:dtr:brk' }), {
      code: 'STATION_USAGE',
      message: /^--lines: line sequence, character 8: a second ":"/,
    });
    assert.throws(() => parseLineFlags({ lines: '' }), { message: /--lines: an empty sequence/ });
  });

  test('--start defaults to exit when the sequence has one, else none; exit needs an exit part', () => {
    const withExit = parseLineFlags({ lines: 'dtr&rts,-rts:-dtr&rts,-rts' });
    const entryOnly = parseLineFlags({ lines: 'dtr&rts,-rts' });
    assert.equal(parseStart(undefined, withExit), 'exit');
    assert.equal(parseStart(undefined, entryOnly), 'none');
    assert.equal(parseStart(undefined, undefined), 'none');
    assert.equal(parseStart('go', undefined), 'go');
    assert.equal(parseStart('none', withExit), 'none');
    assert.throws(() => parseStart('exit', entryOnly), { message: /--start exit needs --lines with an exit sequence/ });
    assert.throws(() => parseStart('reset', withExit), { message: /--start must be one of none, exit, go/ });
  });
});
