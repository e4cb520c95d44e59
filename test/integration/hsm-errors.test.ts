// Failures of the HSM access layer against a real SoftHSM token: typed codes, the PKCS#11 return
// value as cause, and never the PIN in anything an error can print.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Hsm, HsmError, loadHsmConfig } from '#ingrain/crypto';
import { createTestToken, type TestToken } from '../../testkit/softhsm.js';

const WRONG_PIN = 'wrong-pin-5b1e9d-never-printed';
let token: TestToken;

before(async () => {
  token = await createTestToken();
});

after(async () => {
  await token?.cleanup();
});

/** Everything a log line could show of an error, cause chain included. */
function printable(error: unknown): string {
  const err = error as Error;
  return [inspect(error, { depth: 20, showHidden: true }), err.stack ?? '', JSON.stringify(error), String(error)].join(
    '\n',
  );
}

async function openFails(env: Record<string, string>, code: string): Promise<HsmError> {
  try {
    const hsm = await Hsm.open(loadHsmConfig(env));
    await hsm.close();
  } catch (error) {
    assert.ok(error instanceof HsmError, String(error));
    assert.equal(error.code, code, error.message);
    for (const secret of [WRONG_PIN, token.userPin]) assert.ok(!printable(error).includes(secret));
    return error;
  }
  assert.fail(`expected ${code}`);
}

void describe('HSM errors', () => {
  void test('a wrong PIN is HSM_LOGIN_FAILED with CKR_PIN_INCORRECT as cause, and no PIN anywhere', async () => {
    const error = await openFails(
      { ...token.env, INGRAIN_HSM_PIN_FILE: '', INGRAIN_HSM_PIN: WRONG_PIN },
      'HSM_LOGIN_FAILED',
    );
    assert.equal(error.returnValue, 'CKR_PIN_INCORRECT');
    assert.match(error.message, /CKR_PIN_INCORRECT/);
  });

  void test('an unknown token label is HSM_TOKEN_NOT_FOUND and lists the tokens present', async () => {
    const error = await openFails({ ...token.env, INGRAIN_HSM_TOKEN_LABEL: 'absent' }, 'HSM_TOKEN_NOT_FOUND');
    assert.match(error.message, /'absent'.*not found.*'ingrain-test'/);
  });

  void test('a slot index out of range is HSM_TOKEN_NOT_FOUND', async () => {
    const env = { ...token.env, INGRAIN_HSM_TOKEN_LABEL: '', INGRAIN_HSM_SLOT_INDEX: '7' };
    assert.match((await openFails(env, 'HSM_TOKEN_NOT_FOUND')).message, /slot index 7/);
  });

  void test('a missing module is HSM_MODULE_LOAD_FAILED naming the path', async () => {
    const error = await openFails(
      { ...token.env, INGRAIN_HSM_MODULE: '/nonexistent/libpkcs11.so' },
      'HSM_MODULE_LOAD_FAILED',
    );
    assert.match(error.message, /\/nonexistent\/libpkcs11\.so/);
  });

  void test('a failed PKCS#11 operation is HSM_OPERATION_FAILED carrying its CKR_ name', async () => {
    const hsm = await Hsm.open(loadHsmConfig(token.env));
    try {
      await assert.rejects(hsm.generateTokenSecretKey('zero-length', 0, { sign: true }), (error: unknown) => {
        assert.ok(error instanceof HsmError);
        assert.equal(error.code, 'HSM_OPERATION_FAILED');
        assert.match(error.returnValue ?? '', /^CKR_/);
        assert.ok(error.message.includes(error.returnValue ?? '?'));
        assert.ok(!printable(error).includes(token.userPin));
        return true;
      });
    } finally {
      await hsm.close();
    }
  });

  void test('after all these failures the module still opens normally', async () => {
    const hsm = await Hsm.open(loadHsmConfig(token.env));
    try {
      assert.equal((await hsm.randomBytes(16)).length, 16);
    } finally {
      await hsm.close();
    }
  });
});
