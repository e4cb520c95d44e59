import { createECDH } from 'node:crypto';
import type { KeyFlags } from './attributes.js';
import { P256_SCALAR_LENGTH_BYTES, leftPad, spkiFromP256Point } from './ec.js';
import { HsmError, wrapPkcs11Error } from './errors.js';
import { readAttribute } from './objects.js';
import { pkcs11, type Handle, type Pkcs11 } from './pkcs11.js';
import { destroyQuietly, generateP256KeyPair, readP256Point } from './primitives.js';

/** Options of {@link Hsm.generateDeviceKeyPair}. */
export interface DeviceKeyPairOptions {
  /**
   * Return the private scalar. Only for layouts that write the device key into OTP; otherwise the
   * private key is sensitive, non-extractable, and destroyed with its session object.
   */
  readonly exportPrivateKey?: boolean;
}

/** A device identity made in the HSM. */
export interface DeviceKeyPair {
  /** DER SubjectPublicKeyInfo (id-ecPublicKey, P-256). */
  readonly publicKeySpkiDer: Uint8Array;
  /** Uncompressed point 0x04 ‖ X ‖ Y, 65 bytes. */
  readonly publicKeyPoint: Uint8Array;
  /** Big-endian 32-byte private scalar; present only with `exportPrivateKey`. Zero it after use. */
  readonly privateKey?: Uint8Array;
}

function deviceKeyFlags(exportPrivateKey: boolean): { privateKey: KeyFlags; publicKey: KeyFlags } {
  return {
    // Session objects (CKA_TOKEN false): nothing is written to the token, nothing outlives the call.
    privateKey: {
      token: false,
      private: true,
      sensitive: !exportPrivateKey,
      extractable: exportPrivateKey,
      sign: false,
      decrypt: false,
      unwrap: false,
      derive: false,
    },
    publicKey: { token: false, private: false, verify: true, encrypt: false, wrap: false, derive: false },
  };
}

/**
 * Generates a P-256 key pair as session objects, reads what the caller needs, destroys both objects.
 *
 * @throws HsmError `HSM_OPERATION_FAILED` (CKR_… as cause) when the token fails or returns a
 *   malformed key.
 */
export async function generateDeviceKeyPair(
  module: Pkcs11,
  session: Handle,
  options: DeviceKeyPairOptions,
): Promise<DeviceKeyPair> {
  const exportPrivateKey = options.exportPrivateKey === true;
  let keys: { privateKey: Handle; publicKey: Handle };
  try {
    keys = await generateP256KeyPair(module, session, {}, deviceKeyFlags(exportPrivateKey));
  } catch (error) {
    throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', 'device key generation');
  }
  try {
    const publicKeyPoint = readP256Point(module, session, keys.publicKey);
    const publicKeySpkiDer = spkiFromP256Point(publicKeyPoint);
    if (!exportPrivateKey) return { publicKeySpkiDer, publicKeyPoint };
    const privateKey = readPrivateScalar(module, session, keys.privateKey, publicKeyPoint);
    return { publicKeySpkiDer, publicKeyPoint, privateKey };
  } catch (error) {
    throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', 'reading the device key');
  } finally {
    destroyQuietly(module, session, [keys.privateKey, keys.publicKey]);
  }
}

function readPrivateScalar(module: Pkcs11, session: Handle, privateKey: Handle, point: Uint8Array): Uint8Array {
  const value = readAttribute(module, session, privateKey, pkcs11.CKA_VALUE);
  if (value === undefined) throw new HsmError('HSM_OPERATION_FAILED', 'the device private key is not extractable');
  const scalar = leftPad(value, P256_SCALAR_LENGTH_BYTES);
  value.fill(0);
  // The scalar must be the one behind the public point we report: a mismatch would put a key
  // into OTP that no certificate matches.
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalar);
  if (!ecdh.getPublicKey().equals(point)) {
    scalar.fill(0);
    throw new HsmError('HSM_OPERATION_FAILED', 'the exported device private key does not match its public key');
  }
  return scalar;
}
