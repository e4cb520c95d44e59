import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson } from '#ingrain/encoding';
import { canonicalLayout, layoutDigest } from './digest.js';
import { parseLayout } from './parse-layout.js';

const BLOCK_YAML = `
# comment
name: demo
version: 3
family: stm32f4
description: first wording
fields:
  - name: serial
    block: 0
    offset: 0
    type: ascii
    length: 16
    source: input
  - name: rev
    block: 0
    offset: 16
    type: u16le
    source: constant
    value: 0x0a
  - { name: gain, block: 1, offset: 0, type: f32le, source: constant, value: 0.5 }
lock: [1, 0]
`;

const REORDERED_JSON = JSON.stringify({
  lock: [0, 1],
  fields: [
    { value: 0.5, source: 'constant', type: 'f32le', offset: 0, block: 1, name: 'gain' },
    { source: 'constant', value: 10, type: 'u16le', offset: 16, block: 0, name: 'rev', description: 'x' },
    { length: 16, source: 'input', type: 'ascii', offset: 0, block: 0, name: 'serial', secret: false },
  ],
  family: 'stm32f4',
  version: 3,
  name: 'demo',
  description: 'another wording',
});

describe('layoutDigest', () => {
  const digest = layoutDigest(parseLayout(BLOCK_YAML));

  test('is SHA-256 hex, stable across format, key order, field order, notation and descriptions', () => {
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.equal(layoutDigest(parseLayout(REORDERED_JSON)), digest);
  });

  test('changes with anything that changes the device or the identity', () => {
    const variants = [
      BLOCK_YAML.replace('value: 0x0a', 'value: 0x0b'),
      BLOCK_YAML.replace('offset: 16', 'offset: 18'),
      BLOCK_YAML.replace('lock: [1, 0]', 'lock: [0]'),
      BLOCK_YAML.replace('version: 3', 'version: 4'),
      BLOCK_YAML.replace('name: demo', 'name: demo2'),
      BLOCK_YAML.replace('family: stm32f4', 'family: stm32f2'),
      BLOCK_YAML.replace('length: 16', 'length: 15'),
      BLOCK_YAML.replace('source: input', 'source: input\n    secret: true'),
    ];
    for (const text of variants) assert.notEqual(layoutDigest(parseLayout(text)), digest, text);
  });

  test('hashes a documented canonical form (golden value: change only with the format tag)', () => {
    const canonical = canonicalJson(canonicalLayout(parseLayout(BLOCK_YAML)));
    assert.equal(
      canonical,
      '{"family":"stm32f4","fields":[' +
        '{"block":0,"name":"serial","offsetBytes":0,"secret":false,"sizeBytes":16,"source":"input","type":"ascii"},' +
        '{"block":0,"name":"rev","offsetBytes":16,"secret":false,"sizeBytes":2,"source":"constant","type":"u16le","valueHex":"0a00"},' +
        '{"block":1,"name":"gain","offsetBytes":0,"secret":false,"sizeBytes":4,"source":"constant","type":"f32le","valueHex":"0000003f"}' +
        '],"format":"ingrain-layout/1","lock":[0,1],"name":"demo","version":3}',
    );
  });
});
