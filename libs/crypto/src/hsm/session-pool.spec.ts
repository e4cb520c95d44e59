// Pure pool logic against a minimal in-memory stand-in for the PKCS#11 session calls; the real
// module is exercised by test/integration/hsm-access.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HsmError } from './errors.js';
import { HsmPin } from './pin.js';
import { pkcs11, type Handle, type Pkcs11 } from './pkcs11.js';
import { SessionPool } from './session-pool.js';

const PIN = 'fake-pin-0000';

class FakeModule {
  loggedIn = false;
  logins = 0;
  readonly open = new Set<number>();
  readonly closed: number[] = [];
  #next = 1;
  failLogin = false;

  C_OpenSession(): Handle {
    const id = this.#next++;
    this.open.add(id);
    return Buffer.from([id]);
  }
  C_GetSessionInfo() {
    return { state: this.loggedIn ? 3 : 2, flags: 0, slotID: Buffer.alloc(0), deviceError: 0 };
  }
  C_Login(): void {
    this.logins += 1;
    if (this.failLogin) throw new pkcs11.Pkcs11Error('CKR_PIN_INCORRECT:160');
    this.loggedIn = true;
  }
  C_CloseSession(session: Handle): void {
    this.open.delete(session[0]!);
    this.closed.push(session[0]!);
  }
}

function makePool(size: number, module = new FakeModule()) {
  const pool = new SessionPool({
    module: module as unknown as Pkcs11,
    slot: Buffer.alloc(8),
    tokenLabel: 'fake',
    pin: new HsmPin(PIN),
    size,
  });
  return { pool, module };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

void describe('SessionPool', () => {
  void test('never opens more than its size; waiting callers run in arrival order; logs in once', async () => {
    const { pool, module } = makePool(2);
    pool.start();
    const gate = deferred();
    const order: number[] = [];
    const inUse = new Set<number>();
    let maxInUse = 0;
    const jobs = Array.from({ length: 6 }, (_, i) =>
      pool.use(async (session) => {
        assert.ok(!inUse.has(session[0]!), 'a session serves one operation at a time');
        inUse.add(session[0]!);
        maxInUse = Math.max(maxInUse, inUse.size);
        if (i < 2) await gate.promise;
        order.push(i);
        inUse.delete(session[0]!);
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(module.open.size, 2);
    gate.resolve();
    await Promise.all(jobs);
    assert.equal(maxInUse, 2);
    assert.deepEqual(order.slice(2), [2, 3, 4, 5]);
    assert.equal(module.logins, 1);
    await pool.close();
    assert.equal(module.open.size, 0);
  });

  void test('closes a session that broke and opens a fresh one for the next caller', async () => {
    const { pool, module } = makePool(1);
    pool.start();
    const broken = new pkcs11.Pkcs11Error('CKR_SESSION_HANDLE_INVALID:179');
    let first: number | undefined;
    await assert.rejects(
      pool.use((session) => {
        first = session[0];
        throw broken;
      }),
      (error) => error === broken,
    );
    assert.deepEqual(module.closed, [first]);
    const second = await pool.use((session) => session[0]);
    assert.notEqual(second, first);
    await pool.close();
  });

  void test('an ordinary failure keeps the session', async () => {
    const { pool, module } = makePool(1);
    pool.start();
    await assert.rejects(pool.use(() => Promise.reject(new pkcs11.Pkcs11Error('CKR_KEY_HANDLE_INVALID:96'))));
    assert.deepEqual(module.closed, []);
    await pool.close();
  });

  void test('close waits for running work, rejects waiters, and refuses new work', async () => {
    const { pool, module } = makePool(1);
    pool.start();
    const gate = deferred();
    const running = pool.use(() => gate.promise.then(() => 'done'));
    const waiting = pool.use(() => 'never');
    const closing = pool.close();
    await assert.rejects(waiting, { code: 'HSM_CLOSED' });
    assert.equal(module.open.size, 1, 'the running operation keeps its session');
    gate.resolve();
    assert.equal(await running, 'done');
    await closing;
    await pool.close();
    assert.equal(module.open.size, 0);
    await assert.rejects(
      pool.use(() => 'late'),
      { code: 'HSM_CLOSED' },
    );
  });

  void test('a refused login is HSM_LOGIN_FAILED without the PIN, and leaves no session open', () => {
    const module = new FakeModule();
    module.failLogin = true;
    const { pool } = makePool(1, module);
    assert.throws(
      () => pool.start(),
      (error: unknown) =>
        error instanceof HsmError &&
        error.code === 'HSM_LOGIN_FAILED' &&
        error.returnValue === 'CKR_PIN_INCORRECT' &&
        !error.message.includes(PIN),
    );
    assert.equal(module.open.size, 0);
  });
});
