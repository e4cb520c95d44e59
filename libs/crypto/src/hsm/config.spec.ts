import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, test } from 'node:test';
import { DEFAULT_PKCS11_MODULE, loadHsmConfig } from './config.js';
import { HsmError } from './errors.js';

const PIN = 'pin-7f3a-do-not-print';
const dir = mkdtempSync(join(tmpdir(), 'ingrain-hsm-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function pinFile(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

function configError(env: Record<string, string>): HsmError {
  try {
    loadHsmConfig(env);
  } catch (error) {
    assert.ok(error instanceof HsmError);
    assert.equal(error.code, 'HSM_CONFIG_INVALID');
    assert.ok(!inspect(error).includes(PIN), 'the PIN must not appear in the error');
    return error;
  }
  assert.fail('expected HSM_CONFIG_INVALID');
}

void describe('loadHsmConfig', () => {
  void test('applies the defaults and reads the PIN file, stripping one trailing newline', () => {
    const config = loadHsmConfig({ INGRAIN_HSM_PIN_FILE: pinFile('pin', `${PIN}\n`) });
    assert.equal(config.modulePath, DEFAULT_PKCS11_MODULE);
    assert.deepEqual(config.token, { label: 'ingrain' });
    assert.equal(config.sessionPoolSize, 4);
    assert.equal(config.pin.reveal(), PIN);
  });

  void test('reads every variable', () => {
    const config = loadHsmConfig({
      INGRAIN_HSM_MODULE: '/opt/hsm/lib.so',
      INGRAIN_HSM_SLOT_INDEX: '2',
      INGRAIN_HSM_SESSION_POOL_SIZE: '16',
      INGRAIN_HSM_PIN: PIN,
    });
    assert.equal(config.modulePath, '/opt/hsm/lib.so');
    assert.deepEqual(config.token, { slotIndex: 2 });
    assert.equal(config.sessionPoolSize, 16);
  });

  void test('never prints the PIN: inspect, JSON and String show a placeholder', () => {
    const config = loadHsmConfig({ INGRAIN_HSM_PIN: PIN, INGRAIN_HSM_TOKEN_LABEL: 'prod' });
    for (const shown of [
      inspect(config, { depth: 10 }),
      JSON.stringify(config),
      String(config.pin),
      config.pin.toString(),
    ]) {
      assert.ok(!shown.includes(PIN), shown);
    }
    assert.match(inspect(config), /redacted PIN/);
  });

  void test('names the missing PIN variable', () => {
    assert.match(configError({}).message, /INGRAIN_HSM_PIN_FILE is missing/);
    assert.match(configError({ INGRAIN_HSM_PIN: '' }).message, /INGRAIN_HSM_PIN_FILE is missing/);
  });

  void test('names the invalid variable without echoing secrets', () => {
    assert.match(configError({ INGRAIN_HSM_PIN: PIN, INGRAIN_HSM_PIN_FILE: '/x' }).message, /both set/);
    assert.match(configError({ INGRAIN_HSM_PIN: PIN, INGRAIN_HSM_SESSION_POOL_SIZE: '0' }).message, /POOL_SIZE/);
    assert.match(configError({ INGRAIN_HSM_PIN: PIN, INGRAIN_HSM_SESSION_POOL_SIZE: 'many' }).message, /POOL_SIZE/);
    assert.match(configError({ INGRAIN_HSM_PIN: PIN, INGRAIN_HSM_SLOT_INDEX: '-1' }).message, /SLOT_INDEX/);
    assert.match(
      configError({ INGRAIN_HSM_PIN: PIN, INGRAIN_HSM_SLOT_INDEX: '1', INGRAIN_HSM_TOKEN_LABEL: 'a' }).message,
      /TOKEN_LABEL and INGRAIN_HSM_SLOT_INDEX/,
    );
    assert.match(configError({ INGRAIN_HSM_PIN: PIN, INGRAIN_HSM_TOKEN_LABEL: 'x'.repeat(33) }).message, /LABEL/);
  });

  void test('reports an unreadable or empty PIN file by path, never by content', () => {
    assert.match(configError({ INGRAIN_HSM_PIN_FILE: join(dir, 'absent') }).message, /cannot be read.*ENOENT/);
    assert.match(configError({ INGRAIN_HSM_PIN_FILE: pinFile('empty', '\n') }).message, /is empty/);
    if (process.getuid?.() !== 0) {
      const locked = pinFile('locked', PIN);
      chmodSync(locked, 0o000);
      assert.match(configError({ INGRAIN_HSM_PIN_FILE: locked }).message, /EACCES/);
    }
  });
});
