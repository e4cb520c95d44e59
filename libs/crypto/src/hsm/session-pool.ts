import { HsmError, isReturnValue, returnValueName, wrapPkcs11Error } from './errors.js';
import type { HsmPin } from './pin.js';
import { pkcs11, type Handle, type Pkcs11 } from './pkcs11.js';

// PKCS#11 v2.40 §5.7 (CK_STATE): a logged-in read/write session. pkcs11js does not export CKS_*.
const CKS_RW_USER_FUNCTIONS = 3;

// Return values after which a session cannot be trusted any more: it is closed and replaced.
const BROKEN_SESSION_RETURN_VALUES = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_DEVICE_REMOVED',
  'CKR_DEVICE_ERROR',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_USER_NOT_LOGGED_IN',
  'CKR_OPERATION_ACTIVE',
]);

/** Where the pool opens its sessions and how it logs in. */
export interface SessionPoolTarget {
  readonly module: Pkcs11;
  readonly slot: Handle;
  readonly tokenLabel: string;
  readonly pin: HsmPin;
  readonly size: number;
}

/**
 * A fixed-size pool of logged-in R/W sessions on one token. Each session is used by one operation
 * at a time (PKCS#11 sessions are not re-entrant); callers beyond the pool size wait in FIFO order.
 * Login is per application and token (PKCS#11 §5.6), so it happens once, on the first session,
 * and again only if the token forgot it.
 */
export class SessionPool {
  readonly #target: SessionPoolTarget;
  readonly #idle: Handle[] = [];
  readonly #waiters: { resolve: (session: Handle) => void; reject: (error: Error) => void }[] = [];
  #open = 0;
  #busy = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(target: SessionPoolTarget) {
    this.#target = target;
  }

  /** Opens and logs in the first session. @throws HsmError `HSM_LOGIN_FAILED`, `HSM_OPERATION_FAILED`. */
  start(): void {
    this.#idle.push(this.#openSession());
  }

  /**
   * Runs `operation` with a session of its own and returns the session afterwards; a session that
   * failed in a way that leaves it unusable is closed instead. @throws HsmError `HSM_CLOSED`.
   */
  async use<T>(operation: (session: Handle) => Promise<T> | T): Promise<T> {
    const session = await this.#acquire();
    let broken = false;
    try {
      return await operation(session);
    } catch (error) {
      broken = isBrokenSession(error) || isBrokenSession((error as { cause?: unknown }).cause);
      throw error;
    } finally {
      this.#release(session, broken);
    }
  }

  /** Refuses new work, waits for running operations, closes every session. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(closedError());
    if (this.#busy > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    for (const session of this.#idle.splice(0)) this.#closeSession(session);
  }

  async #acquire(): Promise<Handle> {
    if (this.#closed) throw closedError();
    const idle = this.#idle.pop();
    const session = idle ?? (this.#open < this.#target.size ? this.#openSession() : undefined);
    if (session !== undefined) {
      this.#busy += 1;
      return session;
    }
    const waited = await new Promise<Handle>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    return waited; // #release counted it as busy already
  }

  #release(session: Handle, broken: boolean): void {
    if (broken) this.#closeSession(session);
    const waiter = this.#closed ? undefined : this.#waiters.shift();
    if (waiter !== undefined) {
      // Hand the slot straight to the next caller: it stays counted as busy.
      try {
        waiter.resolve(broken ? this.#openSession() : session);
        return;
      } catch (error) {
        waiter.reject(error as Error);
      }
    } else if (!broken) {
      this.#idle.push(session);
    }
    this.#busy -= 1;
    if (this.#busy === 0) this.#drained?.();
  }

  #openSession(): Handle {
    const { module, slot } = this.#target;
    let session: Handle;
    try {
      session = module.C_OpenSession(slot, pkcs11.CKF_SERIAL_SESSION | pkcs11.CKF_RW_SESSION);
    } catch (error) {
      throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', `opening a session on token '${this.#target.tokenLabel}'`);
    }
    this.#open += 1;
    try {
      this.#ensureLoggedIn(session);
    } catch (error) {
      this.#closeSession(session);
      throw error;
    }
    return session;
  }

  #ensureLoggedIn(session: Handle): void {
    const { module, pin, tokenLabel } = this.#target;
    try {
      if (module.C_GetSessionInfo(session).state === CKS_RW_USER_FUNCTIONS) return;
      module.C_Login(session, pkcs11.CKU_USER, pin.reveal());
    } catch (error) {
      if (isReturnValue(error, 'CKR_USER_ALREADY_LOGGED_IN')) return;
      const rv = returnValueName(error) ?? 'unknown error';
      throw new HsmError('HSM_LOGIN_FAILED', `login to token '${tokenLabel}' failed (${rv})`, { cause: error });
    }
  }

  #closeSession(session: Handle): void {
    this.#open -= 1;
    try {
      this.#target.module.C_CloseSession(session);
    } catch {
      // Already invalid (device removed, session closed by the token): nothing left to release.
    }
  }
}

function isBrokenSession(error: unknown): boolean {
  const rv = returnValueName(error);
  return rv !== undefined && BROKEN_SESSION_RETURN_VALUES.has(rv);
}

function closedError(): HsmError {
  return new HsmError('HSM_CLOSED', 'the HSM connection is closed');
}
