import { realpathSync } from 'node:fs';
import { HsmError, isReturnValue, returnValueName } from './errors.js';
import { pkcs11, type Pkcs11 } from './pkcs11.js';

interface LoadedModule {
  readonly pkcs11: Pkcs11;
  /** False when someone else in this process had already called C_Initialize: we must not finalize. */
  readonly ownsInitialization: boolean;
  leases: number;
}

/** A counted use of a loaded module. `release()` is idempotent; the last release finalizes. */
export interface ModuleLease {
  readonly pkcs11: Pkcs11;
  release(): void;
}

// Process-wide, and shared through globalThis so that a second copy of this file (source and
// compiled code in one process) still finds the same instance: loading a PKCS#11 module twice
// invalidates the first instance's sessions.
const REGISTRY_KEY = Symbol.for('ingrain.hsm.pkcs11-modules');
type Registry = Map<string, LoadedModule>;

function registry(): Registry {
  const holder = globalThis as typeof globalThis & { [REGISTRY_KEY]?: Registry };
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

/**
 * Returns the process's one instance of the PKCS#11 module at `modulePath`, loading it and calling
 * C_Initialize (with CKF_OS_LOCKING_OK, since async calls run on libuv worker threads) on first use.
 *
 * @throws HsmError `HSM_MODULE_LOAD_FAILED` when the library cannot be loaded or initialized.
 */
export function acquireModule(modulePath: string): ModuleLease {
  const key = canonicalPath(modulePath);
  const modules = registry();
  let loaded = modules.get(key);
  if (loaded === undefined) {
    loaded = loadModule(modulePath);
    modules.set(key, loaded);
  }
  loaded.leases += 1;
  return lease(key, loaded);
}

function lease(key: string, loaded: LoadedModule): ModuleLease {
  let released = false;
  return {
    pkcs11: loaded.pkcs11,
    release() {
      if (released) return;
      released = true;
      loaded.leases -= 1;
      if (loaded.leases > 0) return;
      registry().delete(key);
      unloadModule(loaded);
    },
  };
}

function loadModule(modulePath: string): LoadedModule {
  const instance = new pkcs11.PKCS11();
  try {
    instance.load(modulePath);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new HsmError('HSM_MODULE_LOAD_FAILED', `cannot load PKCS#11 module ${modulePath}: ${reason}`, {
      cause: error,
    });
  }
  try {
    instance.C_Initialize({ flags: pkcs11.CKF_OS_LOCKING_OK });
    return { pkcs11: instance, ownsInitialization: true, leases: 0 };
  } catch (error) {
    if (isReturnValue(error, 'CKR_CRYPTOKI_ALREADY_INITIALIZED')) {
      return { pkcs11: instance, ownsInitialization: false, leases: 0 };
    }
    instance.close();
    throw new HsmError(
      'HSM_MODULE_LOAD_FAILED',
      `C_Initialize of ${modulePath} failed (${returnValueName(error) ?? 'unknown error'})`,
      {
        cause: error,
      },
    );
  }
}

function unloadModule(loaded: LoadedModule): void {
  try {
    if (loaded.ownsInitialization) loaded.pkcs11.C_Finalize();
  } finally {
    loaded.pkcs11.close();
  }
}

function canonicalPath(modulePath: string): string {
  try {
    return realpathSync(modulePath);
  } catch {
    return modulePath; // not a file path (resolved by the dynamic loader) or missing: load() will tell
  }
}
