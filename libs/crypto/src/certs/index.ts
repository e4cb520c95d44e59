// Device CA and device identity certificates (profile: docs/certificates.md).
export * from './errors.js';
export { pooledRandomSource, type RandomSource, SERIAL_NUMBER_RANDOM_BYTES } from './serial-number.js';
export { type IssuedCertificate } from './certificate-result.js';
export { createCaCertificate, type CreateCaCertificateInput } from './ca-certificate.js';
export { type DeviceCertificateIssuer, prepareDeviceCertificateIssuer } from './issuer.js';
export {
  issueDeviceCertificate,
  type DeviceCertificateIssuerInput,
  type IssueDeviceCertificateInput,
} from './device-certificate.js';
export { prepareTrustedDeviceCa, type TrustedDeviceCa } from './trusted-ca.js';
export { verifyDeviceCertificateChain, type DeviceCertificateFacts } from './verify-chain.js';
export { parseCertificate, type ParsedCertificate, type ParsedExtension } from './certificate-parser.js';
export { type NameAttribute } from './names.js';
export { deviceUrn, chipUidUrn, parseDeviceUrn, parseChipUidUrn } from './device-urn.js';
export { chipUidExtension, decodeChipUidExtension, chipUidAttributeValue, MAX_CHIP_UID_BYTES } from './chip-uid.js';
export { Oid as CertificateOid } from './oids.js';
