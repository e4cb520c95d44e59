import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseVerifierOptions } from './options.js';

const base = ['--attestation-key', 'a.pem', '--log-key', 'l.pem', '--ca', 'ca.pem', '--origin', 'o.example/log'];

void describe('ingrain-verify options', () => {
  void test('parses the required trust flags, optional checks and bundle files', () => {
    const options = parseVerifierOptions([
      ...base,
      '--json',
      '--device-read',
      'r.json',
      '--at',
      '2030-01-02T03:04:05Z',
      'b1.json',
      'b2.jsonl',
    ]);
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    assert.deepEqual(options.bundlePaths, ['b1.json', 'b2.jsonl']);
    assert.equal(options.json, true);
    assert.equal(options.deviceReadPath, 'r.json');
    assert.equal(options.consistencyPath, undefined);
    assert.equal(options.at?.toISOString(), '2030-01-02T03:04:05.000Z');
  });

  void test('help wins; missing flags, bundles or bad values are usage errors', () => {
    assert.equal(parseVerifierOptions(['--help']), 'help');
    const usage = { code: 'VERIFY_USAGE' };
    assert.throws(() => parseVerifierOptions([...base]), usage);
    assert.throws(() => parseVerifierOptions(base.slice(2).concat('b.json')), usage);
    assert.throws(() => parseVerifierOptions([...base, '--threads', '0', 'b.json']), usage);
    assert.throws(() => parseVerifierOptions([...base, '--at', 'yesterday', 'b.json']), usage);
    assert.throws(() => parseVerifierOptions([...base, '--frobnicate', 'b.json']), usage);
  });
});

void describe('ingrain-verify --trust-root', () => {
  void test('--trust-root replaces the four trust flags', () => {
    const options = parseVerifierOptions(['--trust-root', 'root.json', 'b.json']);
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    assert.deepEqual(options.trust, { kind: 'trust-root', path: 'root.json' });
    const separate = parseVerifierOptions([...base, 'b.json']);
    if (separate === 'help') return assert.fail('help');
    assert.deepEqual(separate.trust, {
      kind: 'flags',
      attestationKeyPath: 'a.pem',
      logKeyPath: 'l.pem',
      caPath: 'ca.pem',
      origin: 'o.example/log',
    });
  });

  void test('--trust-root with any of the four flags is refused, naming them; neither is a usage error', () => {
    assert.throws(() => parseVerifierOptions(['--trust-root', 'r.json', '--ca', 'ca.pem', 'b.json']), {
      code: 'VERIFY_USAGE',
      message: /--trust-root and --ca given together/,
    });
    assert.throws(() => parseVerifierOptions(['b.json']), {
      code: 'VERIFY_USAGE',
      message: 'missing --attestation-key, --log-key, --ca, --origin (or use --trust-root)',
    });
    assert.throws(() => parseVerifierOptions(['--ca', 'ca.pem', 'b.json']), {
      code: 'VERIFY_USAGE',
      message: /missing --attestation-key, --log-key, --origin \(or use --trust-root\)/,
    });
  });
});
