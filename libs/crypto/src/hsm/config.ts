import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HsmError } from './errors.js';
import { HsmPin } from './pin.js';

/** Where SoftHSM2 installs its module on Debian; the default when INGRAIN_HSM_MODULE is unset. */
export const DEFAULT_PKCS11_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
/** Token label used when neither INGRAIN_HSM_TOKEN_LABEL nor INGRAIN_HSM_SLOT_INDEX is set. */
export const DEFAULT_TOKEN_LABEL = 'ingrain';
const DEFAULT_SESSION_POOL_SIZE = 4;
const MAX_SESSION_POOL_SIZE = 64;

/** Which token to use: by label (preferred: survives slot renumbering) or by index in the slot list. */
export type TokenSelector = { readonly label: string } | { readonly slotIndex: number };

/** Parsed, validated HSM settings. The PIN is wrapped so that printing the config leaks nothing. */
export interface HsmConfig {
  /** Path of the PKCS#11 module (shared library) to load. */
  readonly modulePath: string;
  readonly token: TokenSelector;
  readonly pin: HsmPin;
  /** Number of R/W sessions kept open: the number of HSM operations that can run in parallel. */
  readonly sessionPoolSize: number;
}

// Empty variables count as unset (compose files and shells often export VAR=).
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : value));
const integerText = (min: number, max: number) => {
  const message = `expected an integer from ${min} to ${max}`;
  return optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, message)
      .transform(Number)
      .pipe(z.number().min(min, message).max(max, message))
      .optional(),
  );
};

const envSchema = z.object({
  INGRAIN_HSM_MODULE: optionalText,
  // PKCS#11 token labels are at most 32 bytes (CK_TOKEN_INFO.label).
  INGRAIN_HSM_TOKEN_LABEL: optionalText.pipe(z.string().max(32, 'expected at most 32 characters').optional()),
  INGRAIN_HSM_SLOT_INDEX: integerText(0, 1_000_000),
  INGRAIN_HSM_SESSION_POOL_SIZE: integerText(1, MAX_SESSION_POOL_SIZE),
  INGRAIN_HSM_PIN_FILE: optionalText,
  INGRAIN_HSM_PIN: optionalText,
});

/**
 * Reads the HSM settings from the environment, once, at start-up:
 * INGRAIN_HSM_MODULE (default {@link DEFAULT_PKCS11_MODULE}), INGRAIN_HSM_TOKEN_LABEL or
 * INGRAIN_HSM_SLOT_INDEX (default label {@link DEFAULT_TOKEN_LABEL}), INGRAIN_HSM_SESSION_POOL_SIZE
 * (default 4), and the user PIN from INGRAIN_HSM_PIN_FILE (preferred; one trailing newline is
 * stripped) or INGRAIN_HSM_PIN.
 *
 * @throws HsmError `HSM_CONFIG_INVALID` naming the missing or invalid variable; the message never
 *   contains the PIN or the PIN file's content.
 */
export function loadHsmConfig(env: Readonly<Record<string, string | undefined>> = process.env): HsmConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new HsmError('HSM_CONFIG_INVALID', `${variable} is invalid: ${issue?.message ?? 'unparseable'}`);
  }
  const vars = parsed.data;
  return {
    modulePath: vars.INGRAIN_HSM_MODULE ?? DEFAULT_PKCS11_MODULE,
    token: tokenSelector(vars.INGRAIN_HSM_TOKEN_LABEL, vars.INGRAIN_HSM_SLOT_INDEX),
    pin: readPin(vars.INGRAIN_HSM_PIN_FILE, vars.INGRAIN_HSM_PIN),
    sessionPoolSize: vars.INGRAIN_HSM_SESSION_POOL_SIZE ?? DEFAULT_SESSION_POOL_SIZE,
  };
}

function tokenSelector(label: string | undefined, slotIndex: number | undefined): TokenSelector {
  if (label !== undefined && slotIndex !== undefined) {
    throw new HsmError(
      'HSM_CONFIG_INVALID',
      'INGRAIN_HSM_TOKEN_LABEL and INGRAIN_HSM_SLOT_INDEX are both set: set exactly one',
    );
  }
  if (slotIndex !== undefined) return { slotIndex };
  return { label: label ?? DEFAULT_TOKEN_LABEL };
}

function readPin(pinFile: string | undefined, pin: string | undefined): HsmPin {
  if (pinFile !== undefined && pin !== undefined) {
    throw new HsmError('HSM_CONFIG_INVALID', 'INGRAIN_HSM_PIN_FILE and INGRAIN_HSM_PIN are both set: set exactly one');
  }
  if (pin !== undefined) return new HsmPin(pin);
  if (pinFile === undefined) {
    throw new HsmError('HSM_CONFIG_INVALID', 'INGRAIN_HSM_PIN_FILE is missing (or set INGRAIN_HSM_PIN)');
  }
  let content: string;
  try {
    content = readFileSync(pinFile, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new HsmError('HSM_CONFIG_INVALID', `INGRAIN_HSM_PIN_FILE cannot be read: ${pinFile} (${reason})`, {
      cause: error,
    });
  }
  const value = content.replace(/\r?\n$/, '');
  if (value === '') throw new HsmError('HSM_CONFIG_INVALID', `INGRAIN_HSM_PIN_FILE is empty: ${pinFile}`);
  return new HsmPin(value);
}
