import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type Signer } from '../signer.js';

/**
 * TEST DOUBLE: a {@link Signer} whose private key is an in-memory node:crypto key. For unit and
 * integration tests only; production signing keys live in the HSM and never in process memory.
 * Behaves like the HSM signer: ECDSA P-256 over SHA-256(message), IEEE P1363 r‖s output.
 */
export class SoftwareSignerForTests implements Signer {
  readonly publicKeySpkiDer: Uint8Array;
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;

  constructor(
    readonly label: string = 'software-test-key',
    keyPair: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ) {
    this.#privateKey = keyPair.privateKey;
    this.publicKey = keyPair.publicKey;
    this.publicKeySpkiDer = new Uint8Array(keyPair.publicKey.export({ type: 'spki', format: 'der' }));
  }

  /** The public key as PEM SPKI, e.g. for `openssl dgst -verify`. */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(
      new Uint8Array(sign('sha256', message, { key: this.#privateKey, dsaEncoding: 'ieee-p1363' })),
    );
  }
}
