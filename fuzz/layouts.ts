// Malformed layout files for POST /v1/products/{id}/layouts: YAML alias bombs and self-references,
// deep nesting, tags, wrong types in every member, huge files, NUL, broken JSON.
import { deepNestText, oddString, oddText, wrongTypeValue } from './odd-values.js';
import { RawJson } from './raw-json.js';
import type { Prng } from './prng.js';

/** A small valid layout of `version` (the product's next version is what the API accepts). */
export function validLayoutYaml(version: number, name = 'fuzz-node'): string {
  return [
    `name: ${name}`,
    `version: ${version}`,
    'family: stm32f4',
    'fields:',
    '  - { name: serial, block: 0, offset: 0, type: ascii, length: 16, source: input }',
    '  - { name: hw, block: 0, offset: 16, type: u16le, source: constant, value: 3 }',
    '  - { name: pubkey_hash, block: 1, offset: 0, type: bytes, length: 32, source: generated, generator: device-public-key-sha256 }',
    'lock: [0, 1]',
    '',
  ].join('\n');
}

function aliasBomb(levels: number, width: number): string {
  const lines = ['a0: &a0 [lol]'];
  for (let level = 1; level <= levels; level++) {
    lines.push(`a${level}: &a${level} [${Array.from({ length: width }, () => `*a${level - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\nname: *a${levels}\nversion: 2\nfamily: stm32f4\nfields: *a${levels}\nlock: []\n`;
}

/** The layout object of validLayoutYaml with one member replaced. */
function layoutObject(version: number): Record<string, unknown> {
  return {
    name: 'fuzz-node',
    version,
    family: 'stm32f4',
    fields: [
      { name: 'serial', block: 0, offset: 0, type: 'ascii', length: 16, source: 'input' },
      { name: 'hw', block: 0, offset: 16, type: 'u16le', source: 'constant', value: 3 },
    ],
    lock: [0],
  };
}

function mutatedLayoutJson(prng: Prng, version: number): string {
  const layout = layoutObject(version);
  const fields = layout['fields'] as Record<string, unknown>[];
  if (prng.chance(0.5)) {
    const member = prng.pick(['name', 'version', 'family', 'fields', 'lock', 'description', 'extra']);
    layout[member] = prng.chance(0.5) ? wrongTypeValue(prng) : oddString(prng);
  } else {
    const field = prng.pick(fields);
    const member = prng.pick(['name', 'block', 'offset', 'type', 'length', 'source', 'value', 'generator', 'extra']);
    field[member] = prng.pick<() => unknown>([
      () => wrongTypeValue(prng),
      () => oddString(prng),
      () => prng.pick([-1, 1e9, 2 ** 53, 0.5, 65_536, 4096, 255, 256, 33, 31]),
      () =>
        prng.pick([
          'u64le',
          'f64le',
          'bytes',
          'uuid',
          'eui48',
          'bool',
          'ascii',
          'utf16',
          'generated',
          'derived-secret',
        ]),
    ])();
  }
  // Text RawJson pieces cannot survive here: a mutated member that is not a plain value becomes a string.
  return JSON.stringify(layout, (_key, value: unknown) => (value instanceof RawJson ? 'raw' : value));
}

/** Layout source texts that must be refused (or, rarely, accepted) — never a 5xx. */
export function hostileLayoutSource(prng: Prng, version: number): string {
  const makers: (() => string)[] = [
    () => aliasBomb(prng.int(3, 10), prng.int(5, 10)),
    () => 'a: &a [*a]\n',
    () => `name: &n fuzz\nversion: ${version}\nfamily: stm32f4\nfields: &f [*f]\nlock: []\n`,
    () => `${validLayoutYaml(version)}extra: &x {<<: *x}\n`,
    () =>
      `base: &b { name: serial, block: 0, offset: 0, type: ascii, length: 16, source: input }\n${validLayoutYaml(version).replace('fields:', 'fields:\n  - <<: *b\n    name: s2')}`,
    () => '['.repeat(prng.pick([100, 1_000, 50_000])),
    () => `${'- '.repeat(prng.pick([100, 2_000]))}x`,
    () => `${'{a: '.repeat(prng.pick([100, 5_000]))}1${'}'.repeat(5_000)}`,
    () => deepNestText(prng.pick([100, 5_000]), 'array'),
    () => `!!js/function "function () { return 1 }"\n`,
    () => `name: !!binary aGVsbG8=\nversion: ${version}\nfamily: stm32f4\nfields: []\nlock: []\n`,
    () => `name: !custom x\nversion: !!float ${version}\nfamily: stm32f4\nfields: []\nlock: []\n`,
    () =>
      validLayoutYaml(version).replace(
        `version: ${version}`,
        prng.pick([
          'version: .inf',
          'version: .nan',
          'version: 0x2',
          'version: 2e0',
          'version: -1',
          'version: 99999999999999999999',
          'version: "2"',
          'version: 2026-12-06',
        ]),
      ),
    () => `${validLayoutYaml(version)}name: duplicate\n`,
    () => validLayoutYaml(version).replace('fuzz-node', oddText(prng)),
    () =>
      validLayoutYaml(version).replace(
        'length: 16',
        `length: ${prng.pick(['-1', '0', '1e9', '4097', '2.5', '"16"', 'null'])}`,
      ),
    () =>
      validLayoutYaml(version).replace(
        'block: 0',
        `block: ${prng.pick(['-1', '16', '1e9', '9007199254740993', '0.5', '[]'])}`,
      ),
    () =>
      validLayoutYaml(version).replace(
        'lock: [0, 1]',
        `lock: ${prng.pick(['[0, 0]', '[-1]', '[999]', '"all"', '{}', '[0.5]', `[${'0,'.repeat(5000)}0]`])}`,
      ),
    () => `${validLayoutYaml(version)}# ${'x'.repeat(prng.pick([10_000, 200_000, 262_145]))}\n`,
    () =>
      `fields:\n${'  - { name: f, block: 0, offset: 0, type: u8, source: constant, value: 1 }\n'.repeat(prng.pick([100, 3_000]))}`,
    () => `\uFEFF${validLayoutYaml(version)}`,
    () => validLayoutYaml(version).replace('serial', 'ser\u0000ial'),
    () => validLayoutYaml(version).replace('serial', '\uD800'),
    () => validLayoutYaml(version).replace(/\n/g, '\r'),
    () => validLayoutYaml(version).replace(/ {2}/g, '\t'),
    () => '{"name": "fuzz", "version": ',
    () => '{}',
    () => '[]',
    () => 'null',
    () => '~',
    () => '---\n---\n---\n',
    () => '%YAML 1.1\n---\nname: x\n',
    () => '%TAG ! tag:evil.example,2026:\n---\n!x y\n',
    () => mutatedLayoutJson(prng, version),
    () => mutatedLayoutJson(prng, version),
    () => mutatedLayoutJson(prng, version),
    () => validLayoutYaml(version),
  ];
  return prng.pick(makers)();
}
