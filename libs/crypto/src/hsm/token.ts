import type { TokenSelector } from './config.js';
import { HsmError, wrapPkcs11Error } from './errors.js';
import { pkcs11, type Handle, type Pkcs11 } from './pkcs11.js';

/** What Ingrain knows about the token it uses (all public, from C_GetTokenInfo). */
export interface TokenDescription {
  readonly label: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly serialNumber: string;
  /** Position of the slot in C_GetSlotList(tokenPresent = true). */
  readonly slotIndex: number;
}

/** A token found in the slot list: its slot handle and description. */
export interface FoundToken {
  readonly slot: Handle;
  readonly description: TokenDescription;
}

/**
 * Finds the one token matching `selector` among the slots with a token present.
 *
 * @throws HsmError `HSM_TOKEN_NOT_FOUND` when no slot (or more than one) matches, or the token is
 *   not initialized; `HSM_LOGIN_FAILED` when its user PIN is not initialized or is locked.
 */
export function findToken(module: Pkcs11, selector: TokenSelector): FoundToken {
  const tokens = listTokens(module);
  const matches =
    'label' in selector
      ? tokens.filter((token) => token.description.label === selector.label)
      : tokens.filter((token) => token.description.slotIndex === selector.slotIndex);
  const wanted = 'label' in selector ? `token labelled '${selector.label}'` : `slot index ${selector.slotIndex}`;
  const found = matches[0];
  if (found === undefined || matches.length > 1) {
    const seen = tokens.map((token) => `'${token.description.label}'`).join(', ') || 'none';
    const problem = matches.length > 1 ? `${matches.length} tokens match` : 'not found';
    throw new HsmError('HSM_TOKEN_NOT_FOUND', `${wanted}: ${problem} (tokens present: ${seen})`);
  }
  checkTokenFlags(found);
  return found;
}

function listTokens(module: Pkcs11): (FoundToken & { flags: number })[] {
  try {
    return module.C_GetSlotList(true).map((slot, slotIndex) => {
      const info = module.C_GetTokenInfo(slot);
      const description: TokenDescription = {
        label: unpad(info.label),
        manufacturer: unpad(info.manufacturerID),
        model: unpad(info.model),
        serialNumber: unpad(info.serialNumber),
        slotIndex,
      };
      return { slot, description, flags: info.flags };
    });
  } catch (error) {
    throw wrapPkcs11Error(error, 'HSM_TOKEN_NOT_FOUND', 'listing the slots');
  }
}

function checkTokenFlags(token: FoundToken & { flags: number }): void {
  const name = `token '${token.description.label}'`;
  if ((token.flags & pkcs11.CKF_TOKEN_INITIALIZED) === 0) {
    throw new HsmError('HSM_TOKEN_NOT_FOUND', `${name} is not initialized`);
  }
  if ((token.flags & pkcs11.CKF_USER_PIN_INITIALIZED) === 0) {
    throw new HsmError('HSM_LOGIN_FAILED', `${name} has no user PIN yet (initialize it with the SO PIN)`);
  }
  if ((token.flags & pkcs11.CKF_USER_PIN_LOCKED) !== 0) {
    throw new HsmError('HSM_LOGIN_FAILED', `${name}: the user PIN is locked (unlock it with the SO PIN)`);
  }
}

// CK_TOKEN_INFO strings are blank-padded (PKCS#11 v2.40 §3.2); some writers pad with NULs.
function unpad(text: string): string {
  return text.replace(/[ \0]+$/, '');
}
