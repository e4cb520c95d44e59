import {
  contextTag,
  derBitString,
  derElement,
  type DerPart,
  encodeDer,
  derSequence,
  derSmallInteger,
  derUnsignedInteger,
  p1363ToDer,
} from '../encoding/index.js';
import { type Signer } from '../signer.js';
import { ECDSA_WITH_SHA256_ALGORITHM_DER } from './oids.js';
import { encodeCertificateTime } from './time.js';

/** The fields of a v3 TBSCertificate signed with ecdsa-with-SHA256 (RFC 5280 §4.1.2). */
export interface TbsFields {
  readonly serialNumber: Uint8Array;
  readonly issuerNameDer: DerPart;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectNameDer: DerPart;
  readonly spkiDer: Uint8Array;
  /** Encoded Extension elements, in output order. */
  readonly extensions: readonly DerPart[];
}

const VERSION_3 = derElement(contextTag(0, true), derSmallInteger(2)); // [0] EXPLICIT Version v3(2)

/** The DER TBSCertificate (the bytes the CA signs). */
export function encodeTbsCertificate(fields: TbsFields): Uint8Array {
  const tbs = derSequence(
    VERSION_3,
    derUnsignedInteger(fields.serialNumber),
    ECDSA_WITH_SHA256_ALGORITHM_DER,
    fields.issuerNameDer,
    derSequence(encodeCertificateTime(fields.notBefore), encodeCertificateTime(fields.notAfter)),
    fields.subjectNameDer,
    fields.spkiDer,
    derElement(contextTag(3, true), derSequence(...fields.extensions)),
  );
  return encodeDer(tbs);
}

/**
 * Signs a TBSCertificate and returns the DER Certificate (RFC 5280 §4.1.1): the signer's P1363
 * signature becomes the DER Ecdsa-Sig-Value of RFC 3279 §2.2.3 inside the BIT STRING.
 * @throws whatever the signer throws; EncodingError ENCODING_SIGNATURE_INVALID if it returns a
 * malformed signature.
 */
export async function signTbsCertificate(tbsDer: Uint8Array, signer: Signer): Promise<Uint8Array> {
  const signature = p1363ToDer(await signer.sign(tbsDer));
  return encodeDer(derSequence(tbsDer, ECDSA_WITH_SHA256_ALGORITHM_DER, derBitString(signature)));
}
