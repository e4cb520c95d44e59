import { randomBytes, X509Certificate, createPublicKey } from 'node:crypto';
import { EncodingError } from '#ingrain/encoding';
import { DerTag } from '../encoding/index.js';
import { type Signer } from '../signer.js';
import { type IssuedCertificate, toIssuedCertificate } from './certificate-result.js';
import { CertificateError } from './errors.js';
import { basicConstraintsExtension, keyUsageExtension, subjectKeyIdentifierExtension } from './extensions.js';
import { encodeName } from './names.js';
import { Oid } from './oids.js';
import { randomSerialNumber, type RandomSource } from './serial-number.js';
import { keyIdentifier, p256PublicKeyBits } from './spki.js';
import { encodeTbsCertificate, signTbsCertificate } from './tbs.js';
import { validityWindow } from './validity.js';

export interface CreateCaCertificateInput {
  /** The CA key (HSM label `ingrain-device-ca` in production). */
  readonly signer: Signer;
  /** Subject CN, 1–64 characters, no control characters. */
  readonly subjectCommonName: string;
  /** Subject O, 1–64 characters, no control characters. */
  readonly organization?: string;
  readonly validityDays: number;
  /** Start of validity; defaults to now. Truncated to whole seconds. */
  readonly notBefore?: Date;
  /** Serial number randomness; defaults to node:crypto randomBytes. */
  readonly random?: RandomSource;
}

// eslint-disable-next-line no-control-regex -- the point is to reject control characters
const NAME_TEXT = /^[^\u0000-\u001f\u007f]{1,64}$/; // ub-common-name / ub-organization-name = 64 (RFC 5280 App. A)

function checkNameText(value: string, what: string): void {
  if (!NAME_TEXT.test(value) || value.trim() !== value) {
    throw new CertificateError(
      'CERT_INPUT_INVALID',
      `${what} must be 1-64 characters without control characters or outer spaces`,
    );
  }
}

function spkiBits(spkiDer: Uint8Array): Uint8Array {
  try {
    return p256PublicKeyBits(spkiDer);
  } catch (error) {
    if (error instanceof EncodingError)
      throw new CertificateError('CERT_INPUT_INVALID', 'CA signer key is not a P-256 public key', { cause: error });
    throw error;
  }
}

/**
 * Creates the self-signed device CA certificate: v3, ecdsa-with-SHA256, subject [O=organization,]
 * CN=subjectCommonName (UTF8String), basicConstraints critical CA:TRUE pathLen 0, keyUsage critical
 * keyCertSign + cRLSign, subjectKeyIdentifier (RFC 7093 method 1). The result's signature is
 * checked with OpenSSL (node:crypto) before it is returned. Profile: docs/certificates.md.
 * @throws CertificateError CERT_INPUT_INVALID for bad names, validity or a non-P-256 key;
 * CERT_SIGNATURE_INVALID if the signer's signature does not verify with its own public key;
 * whatever the signer throws.
 */
export async function createCaCertificate(input: CreateCaCertificateInput): Promise<IssuedCertificate> {
  checkNameText(input.subjectCommonName, 'subjectCommonName');
  if (input.organization !== undefined) checkNameText(input.organization, 'organization');
  const { notBefore, notAfter } = validityWindow(input.notBefore ?? new Date(), input.validityDays);
  const serialNumber = await randomSerialNumber(input.random ?? ((n) => randomBytes(n)));
  const attributes = [
    ...(input.organization === undefined
      ? []
      : [{ oid: Oid.organizationName, tag: DerTag.utf8String, value: input.organization }]),
    { oid: Oid.commonName, tag: DerTag.utf8String, value: input.subjectCommonName },
  ];
  const name = encodeName(attributes);
  const tbs = encodeTbsCertificate({
    serialNumber,
    issuerNameDer: name,
    notBefore,
    notAfter,
    subjectNameDer: name,
    spkiDer: input.signer.publicKeySpkiDer,
    extensions: [
      basicConstraintsExtension(true, 0),
      keyUsageExtension(['keyCertSign', 'cRLSign']),
      subjectKeyIdentifierExtension(keyIdentifier(spkiBits(input.signer.publicKeySpkiDer))),
    ],
  });
  const der = await signTbsCertificate(tbs, input.signer);
  const publicKey = createPublicKey({ key: Buffer.from(input.signer.publicKeySpkiDer), format: 'der', type: 'spki' });
  if (!new X509Certificate(der).verify(publicKey)) {
    throw new CertificateError(
      'CERT_SIGNATURE_INVALID',
      `signer ${input.signer.label} produced a CA signature that does not verify`,
    );
  }
  return toIssuedCertificate(der, serialNumber);
}
