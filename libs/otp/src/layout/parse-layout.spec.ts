import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LayoutValidationError } from './errors.js';
import { parseLayout } from './parse-layout.js';

const YAML_TEXT = `
name: demo
version: 1
family: stm32f4
fields:
  - { name: serial, block: 0, offset: 0, type: ascii, length: 16, source: input }
  - { name: rev, block: 0, offset: 16, type: u16le, source: constant, value: 0x0a }
lock: [0]
`;

const JSON_TEXT = JSON.stringify({
  name: 'demo',
  version: 1,
  family: 'stm32f4',
  fields: [
    { name: 'serial', block: 0, offset: 0, type: 'ascii', length: 16, source: 'input' },
    { name: 'rev', block: 0, offset: 16, type: 'u16le', source: 'constant', value: 10 },
  ],
  lock: [0],
});

function syntaxIssue(text: string, format?: 'yaml' | 'json'): string {
  try {
    parseLayout(text, format);
  } catch (error) {
    assert.ok(error instanceof LayoutValidationError);
    assert.equal(error.issues[0]?.path, '');
    return error.issues[0]?.message ?? '';
  }
  return assert.fail('parsed');
}

describe('parseLayout', () => {
  test('reads YAML and JSON to the same layout, guessing the format', () => {
    const fromYaml = parseLayout(YAML_TEXT);
    const fromJson = parseLayout(`  \n${JSON_TEXT}`);
    assert.deepEqual(fromYaml, fromJson);
    assert.deepEqual(parseLayout(JSON_TEXT, 'json'), fromJson);
    assert.deepEqual(parseLayout(JSON_TEXT, 'yaml'), fromJson, 'JSON is valid YAML too');
  });

  test('reports YAML syntax errors with their line', () => {
    assert.match(syntaxIssue('name: [demo\nversion: 1\n'), /^not valid YAML: .*line \d+/);
  });

  test('refuses duplicate YAML keys', () => {
    assert.match(syntaxIssue('name: a\nname: b\n'), /unique/);
  });

  test('reports JSON syntax errors', () => {
    assert.match(syntaxIssue('{"name": }'), /^not valid JSON/);
    assert.match(syntaxIssue(YAML_TEXT, 'json'), /^not valid JSON/);
  });

  test('keeps YAML integers beyond 2^53 exact for 64-bit constants', () => {
    const layout = parseLayout(`
name: big
version: 1
family: stm32f7
fields:
  - { name: id, block: 0, offset: 0, type: u64be, source: constant, value: 18446744073709551614 }
`);
    const id = layout.fields[0];
    assert.ok(id?.source === 'constant');
    assert.equal(id.value, '18446744073709551614');
  });

  test('asks for a decimal string when JSON rounds a 64-bit integer', () => {
    const doc = (value: unknown) =>
      JSON.stringify({
        name: 'big',
        version: 1,
        family: 'stm32f7',
        fields: [{ name: 'id', block: 0, offset: 0, type: 'u64le', source: 'constant', value }],
      });
    assert.throws(
      () => parseLayout(doc(2 ** 60)),
      (error: unknown) =>
        error instanceof LayoutValidationError && error.issues.some((i) => /decimal string/.test(i.message)),
    );
    const layout = parseLayout(doc('18446744073709551614'));
    assert.equal(layout.fields[0]?.source === 'constant' && layout.fields[0].value, '18446744073709551614');
  });

  test('validates after parsing', () => {
    assert.throws(() => parseLayout('name: x\nversion: 1\nfamily: stm32f4\nfields: []\n'), { code: 'LAYOUT_INVALID' });
    assert.throws(() => parseLayout('- just\n- a list\n'), { code: 'LAYOUT_INVALID' });
  });

  test('refuses an alias bomb and self-referencing aliases as LAYOUT_INVALID (issue 9, defect 7)', () => {
    const levels = ['b', 'c', 'd', 'e', 'f', 'g'].map(
      (name, i) => `${name}: &${name} [${`*${'abcdef'[i]}, `.repeat(9)}]`,
    );
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...levels].join('\n');
    assert.match(syntaxIssue(bomb, 'yaml'), /aliases expand too much/);
    assert.match(syntaxIssue('a: &a [*a]\n', 'yaml'), /alias \*a refers to a node that contains it/);
    assert.match(syntaxIssue('name: x\nfields: &f {b: {c: *f}}\n'), /alias \*f refers to a node that contains it/);
  });

  test('a few plain aliases still work', () => {
    const text = YAML_TEXT.replace('block: 0, offset: 0,', 'block: &b0 0, offset: 0,').replace(
      'block: 0, offset: 16',
      'block: *b0, offset: 16',
    );
    assert.equal(parseLayout(text).fields.length, 2);
  });
});
