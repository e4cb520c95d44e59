import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseVerifierOptions } from './options.js';

const base = ['--attestation-key', 'a.pem', '--log-key', 'l.pem', '--ca', 'ca.pem', '--origin', 'o.example/log'];

void describe('ingrain-verify witness flags', () => {
  void test('--witness is repeatable; the threshold defaults to every distinct key', () => {
    const options = parseVerifierOptions([...base, '--witness', 'a', '--witness', 'b', '--witness', 'a', 'b.json']);
    assert.ok(options !== 'help');
    assert.deepEqual(options.witnesses, { vkeys: ['a', 'b', 'a'], threshold: 2 });
    const one = parseVerifierOptions([
      ...base,
      '--witness',
      'a',
      '--witness',
      'b',
      '--witness-threshold',
      '1',
      'b.json',
    ]);
    assert.ok(one !== 'help');
    assert.equal(one.witnesses?.threshold, 1);
    const none = parseVerifierOptions([...base, 'b.json']);
    assert.ok(none !== 'help');
    assert.equal(none.witnesses, undefined);
  });

  void test('a threshold without witnesses, out of range or not a number is a usage error naming the flag', () => {
    const usage = (args: string[], message: RegExp) =>
      assert.throws(() => parseVerifierOptions([...base, ...args, 'b.json']), { code: 'VERIFY_USAGE', message });
    usage(['--witness-threshold', '1'], /--witness-threshold needs --witness/);
    usage(['--witness', 'a', '--witness-threshold', '2'], /--witness-threshold must be an integer from 1 to .* \(1\)/);
    usage(['--witness', 'a', '--witness-threshold', '0'], /--witness-threshold/);
    usage(['--witness', 'a', '--witness-threshold', 'x'], /--witness-threshold/);
  });
});
