// Verifies one verification bundle (docs/verifier.md "Bundle format v1") against the published
// trust material (GET /v1/keys), with WebCrypto only. Every problem is a failed check; a check whose
// prerequisite failed is `not-checked`. Nothing in the bundle is trusted by itself.
import {
  type AttestationFacts,
  attestationLeafBytes,
  AttestationProblem,
  decodeAttestationPayload,
  type Envelope,
  parseEnvelope,
  verifyEnvelopeSignature,
} from './attestation.js';
import { bytesEqual, fromBase64, pemToDer, sha256, toHex } from './bytes.js';
import {
  CertificateProblem,
  checkCa,
  type DeviceCertificateFacts,
  verifyDeviceCertificate,
} from './certificate-checks.js';
import { type Checkpoint, noteKeyId, verifyCheckpointNote } from './checkpoint.js';
import { importP256Spki, type VerifyKey } from './ecdsa.js';
import { leafHash, verifyInclusion } from './merkle.js';
import { type Certificate, parseCertificate } from './x509.js';

export const BUNDLE_FORMAT = 'ingrain.verification-bundle.v1';

/** What `GET /v1/keys` answers. */
export interface PublishedKeys {
  readonly attestationPublicKeyPem: string;
  readonly logPublicKeyPem: string;
  readonly caCertificatePem: string;
  readonly logOrigin: string;
}

export type CheckName =
  | 'trust'
  | 'bundle'
  | 'trusted-ca'
  | 'attestation-signature'
  | 'certificate-chain'
  | 'certificate-binding'
  | 'chip-binding'
  | 'checkpoint'
  | 'log-inclusion';

export interface CheckResult {
  readonly name: CheckName;
  readonly ok: boolean;
  readonly status: 'passed' | 'failed' | 'not-checked';
  /** Why it passed or failed, for people; never OTP bytes of secret fields. */
  readonly message: string;
  /** The failure code (docs/verifier.md, attestation.md, certificates.md, transparency-log.md). */
  readonly code?: string;
}

export interface BundleVerification {
  /** True only when every check passed. */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  /** The attestation's fields, when its signature verified. */
  readonly attestation?: AttestationFacts;
  readonly leafIndex?: number;
  readonly treeSize?: number;
}

interface Bundle {
  readonly envelope: Envelope;
  readonly deviceCertificatePem: string;
  readonly caCertificatePem: string;
  readonly leafIndex: number;
  readonly inclusionProof: readonly string[];
  readonly checkpoint: string;
}

interface Trust {
  readonly attestationKey: VerifyKey;
  readonly attestationKeyIdHex: string;
  readonly logKey: VerifyKey;
  readonly logKeyId: Uint8Array;
  readonly ca: Certificate;
  readonly origin: string;
}

class CheckFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function sameKeys(value: Record<string, unknown>, keys: readonly string[], where: string): void {
  const actual = Object.keys(value).sort();
  const expected = [...keys].sort();
  if (actual.join() !== expected.join())
    throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', `${where} must have exactly ${expected.join(', ')}`);
}

function parseBundle(input: unknown): Bundle {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', 'the bundle is not JSON');
    }
  }
  if (!isRecord(value)) throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', 'the bundle is not a JSON object');
  if (value['format'] !== BUNDLE_FORMAT) {
    throw new CheckFailure(
      'VERIFY_BUNDLE_UNSUPPORTED_FORMAT',
      `format ${JSON.stringify(value['format'])} is not ${BUNDLE_FORMAT}`,
    );
  }
  sameKeys(value, ['format', 'attestation', 'deviceCertificatePem', 'caCertificatePem', 'log'], 'the bundle');
  const log = value['log'];
  if (!isRecord(log)) throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', 'log is not an object');
  sameKeys(log, ['leafIndex', 'inclusionProof', 'checkpoint'], 'log');
  const { leafIndex, inclusionProof, checkpoint } = log;
  if (typeof leafIndex !== 'number' || !Number.isSafeInteger(leafIndex) || leafIndex < 0)
    throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', 'log.leafIndex is not a whole number');
  if (!Array.isArray(inclusionProof) || !inclusionProof.every((hash) => typeof hash === 'string'))
    throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', 'log.inclusionProof is not a list of base64 hashes');
  if (typeof checkpoint !== 'string') throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', 'log.checkpoint is not text');
  const { deviceCertificatePem, caCertificatePem } = value;
  if (typeof deviceCertificatePem !== 'string' || typeof caCertificatePem !== 'string')
    throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', 'the certificates must be PEM text');
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(value['attestation']);
  } catch (error) {
    throw new CheckFailure('VERIFY_BUNDLE_MALFORMED', (error as Error).message);
  }
  return {
    envelope,
    deviceCertificatePem,
    caCertificatePem,
    leafIndex,
    inclusionProof,
    checkpoint,
  };
}

function certificateFromPem(pem: string, which: string): Certificate {
  const der = pemToDer(pem, 'CERTIFICATE');
  if (der === undefined) throw new CheckFailure('CERT_MALFORMED', `the ${which} certificate is not PEM`);
  try {
    return parseCertificate(der);
  } catch (error) {
    throw new CheckFailure('CERT_MALFORMED', `the ${which} certificate is not DER X.509: ${(error as Error).message}`);
  }
}

async function loadTrust(keys: PublishedKeys): Promise<Trust> {
  const key = async (pem: string, which: string) => {
    const der = pemToDer(pem, 'PUBLIC KEY');
    if (der === undefined) throw new CheckFailure('VERIFY_TRUST_INVALID', `the ${which} key is not a PEM public key`);
    try {
      return { der, key: await importP256Spki(der) };
    } catch {
      throw new CheckFailure('VERIFY_TRUST_INVALID', `the ${which} key is not an EC P-256 key`);
    }
  };
  const attestation = await key(keys.attestationPublicKeyPem, 'attestation');
  const log = await key(keys.logPublicKeyPem, 'log');
  if (!/^[\x21-\x7e]+$/.test(keys.logOrigin))
    throw new CheckFailure('VERIFY_TRUST_INVALID', 'the log origin is not one printable word');
  const ca = certificateFromPem(keys.caCertificatePem, 'trusted CA');
  try {
    checkCa(ca);
  } catch (error) {
    throw new CheckFailure('VERIFY_TRUST_INVALID', `the trusted CA cannot be a device CA: ${(error as Error).message}`);
  }
  return {
    attestationKey: attestation.key,
    attestationKeyIdHex: toHex(await sha256(attestation.der)),
    logKey: log.key,
    logKeyId: await noteKeyId(log.der),
    ca,
    origin: keys.logOrigin,
  };
}

/** The detail of a certificate issued before chip binding (docs/verifier.md "Chip binding"): a warning, not a failure. */
export const NOT_CHIP_BOUND_MESSAGE =
  'WARNING certificate not chip-bound: it carries no chip UID extension (issued before the chip was known); ' +
  'only the attestation key vouches for the chip UID';

/** The byte offset of the first byte-aligned occurrence of hex `needle` in hex `haystack`. */
function alignedOffset(haystack: string, needle: string): number | undefined {
  for (let index = haystack.indexOf(needle); index !== -1; index = haystack.indexOf(needle, index + 1)) {
    if (index % 2 === 0) return index / 2;
  }
  return undefined;
}

/**
 * chip UID ⇄ certificate ⇄ OTP (docs/verifier.md "Chip binding", attestation.md "Chip UID ⇄
 * certificate ⇄ OTP"): the certificate's chip UID (extension = subject = URI, enforced by the
 * profile check) is the attested one; the attested OTP data is searched for the certificate's
 * key point, then its SHA-256. @returns the detail. @throws CheckFailure VERIFY_CHIP_BINDING_MISMATCH.
 */
async function chipBinding(attestation: AttestationFacts, certificate: DeviceCertificateFacts): Promise<string> {
  if (!certificate.chipBound) return NOT_CHIP_BOUND_MESSAGE;
  const attested = attestation.chip.uidHex.toLowerCase();
  if (certificate.chipUidHex !== attested) {
    throw new CheckFailure(
      'VERIFY_CHIP_BINDING_MISMATCH',
      `the certificate is bound to chip UID ${certificate.chipUidHex ?? '(none)'}, but the attestation is for chip UID ${attested}`,
    );
  }
  const otp = attestation.otp.dataHex.toLowerCase();
  let found: string | undefined;
  for (const [what, hex] of [
    ['public key point', toHex(certificate.publicKey)],
    ['public key SHA-256', toHex(await sha256(certificate.publicKey))],
  ] as const) {
    const at = alignedOffset(otp, hex);
    if (at !== undefined) {
      found = `the attested OTP holds the certificate's ${what} at offset ${at}`;
      break;
    }
  }
  const inOtp = found ?? 'the attested OTP holds no copy of the certificate key (layout without one): not compared';
  return `the certificate is bound to the attested chip UID ${attested}; ${inOtp}`;
}

type Outcome<T> = { readonly ok: true; readonly value: T; readonly message: string } | { readonly ok: false };

/** Runs the checks in order; see docs/verifier.md "Browser verifier". */
export async function verifyBundleInBrowser(
  bundleInput: unknown,
  keys: PublishedKeys,
  options: { readonly at?: Date } = {},
): Promise<BundleVerification> {
  const at = options.at ?? new Date();
  const checks: CheckResult[] = [];
  const run = async <T>(
    name: CheckName,
    prerequisites: readonly Outcome<unknown>[],
    body: () => Promise<{ value: T; message: string }>,
  ): Promise<Outcome<T>> => {
    if (prerequisites.some((outcome) => !outcome.ok)) {
      checks.push({
        name,
        ok: false,
        status: 'not-checked',
        code: 'VERIFY_NOT_CHECKED',
        message: 'not checked: a check it depends on failed',
      });
      return { ok: false };
    }
    try {
      const { value, message } = await body();
      checks.push({ name, ok: true, status: 'passed', message });
      return { ok: true, value, message };
    } catch (error) {
      const code =
        error instanceof CheckFailure || error instanceof AttestationProblem || error instanceof CertificateProblem
          ? error.code
          : 'VERIFY_INTERNAL';
      checks.push({ name, ok: false, status: 'failed', code, message: (error as Error).message });
      return { ok: false };
    }
  };

  const trust = await run('trust', [], async () => ({
    value: await loadTrust(keys),
    message: `published keys loaded for ${keys.logOrigin}`,
  }));
  const bundle = await run('bundle', [], async () =>
    Promise.resolve({ value: parseBundle(bundleInput), message: `format ${BUNDLE_FORMAT}` }),
  );
  const t = () => (trust as { value: Trust }).value;
  const b = () => (bundle as { value: Bundle }).value;

  const trustedCa = await run('trusted-ca', [trust, bundle], async () => {
    const ca = certificateFromPem(b().caCertificatePem, "bundle's CA");
    if (!bytesEqual(ca.der, t().ca.der))
      throw new CheckFailure('VERIFY_CA_MISMATCH', "the bundle's CA certificate is not the published device CA");
    return Promise.resolve({
      value: true,
      message: `the bundle names the published CA (${toHex(await sha256(ca.der)).slice(0, 16)}…)`,
    });
  });

  const attestation = await run('attestation-signature', [trust, bundle], async () => {
    const payload = await verifyEnvelopeSignature(b().envelope, t().attestationKey, t().attestationKeyIdHex);
    const facts = await decodeAttestationPayload(payload);
    return {
      value: facts,
      message: `signed by the attestation key (product ${facts.product}, serial ${facts.serial})`,
    };
  });

  const certificate = await run('certificate-chain', [trust, bundle], async () => {
    const device = certificateFromPem(b().deviceCertificatePem, 'device');
    const facts = await verifyDeviceCertificate(device, t().ca, at);
    const fingerprint = toHex(await sha256(device.der));
    return {
      value: { ...facts, fingerprint },
      message: `device certificate ${fingerprint.slice(0, 16)}… issued by the published CA`,
    };
  });

  await run('certificate-binding', [attestation, certificate], async () => {
    const a = (attestation as { value: AttestationFacts }).value;
    const c = (certificate as { value: DeviceCertificateFacts & { fingerprint: string } }).value;
    const mismatch = (what: string) => new CheckFailure('VERIFY_CERTIFICATE_MISMATCH', what);
    if (a.deviceCertificateSha256 !== c.fingerprint)
      throw mismatch(`attested certificate ${a.deviceCertificateSha256.slice(0, 16)}… is not the bundle's`);
    if (a.product !== c.product) throw mismatch(`attested product ${a.product} is not the certificate's ${c.product}`);
    if (a.serial !== c.serial) throw mismatch(`attested serial ${a.serial} is not the certificate's ${c.serial}`);
    if (c.chipUidHex !== undefined && c.chipUidHex !== a.chip.uidHex)
      throw mismatch("attested chip UID is not the certificate's");
    const uid = c.chipUidHex === undefined ? 'the certificate names no chip UID' : 'chip UID';
    return Promise.resolve({ value: true, message: `certificate, product, serial and ${uid} agree` });
  });

  // Its prerequisites are the CLI's: there, certificate-chain includes "the bundle names the trusted CA".
  await run('chip-binding', [attestation, certificate, trustedCa], async () => {
    const a = (attestation as { value: AttestationFacts }).value;
    const c = (certificate as { value: DeviceCertificateFacts }).value;
    return { value: true, message: await chipBinding(a, c) };
  });

  const checkpoint = await run('checkpoint', [trust, bundle], async () => {
    const result = await verifyCheckpointNote(b().checkpoint, t().logKey, t().logKeyId, t().origin);
    if (!result.ok) throw new CheckFailure(result.code, result.message);
    return {
      value: result.checkpoint,
      message: `signed by the log key for ${result.checkpoint.origin} at tree size ${result.checkpoint.treeSize}`,
    };
  });

  await run('log-inclusion', [checkpoint], async () => {
    const { treeSize, rootHash } = (checkpoint as { value: Checkpoint }).value;
    const invalid = (message: string) => new CheckFailure('LOG_INCLUSION_PROOF_INVALID', message);
    const proof = b().inclusionProof.map((hash) => fromBase64(hash));
    if (proof.some((hash) => hash === undefined || hash.length !== 32))
      throw invalid('a proof hash is not base64 of 32 bytes');
    let leaf: Uint8Array;
    try {
      leaf = attestationLeafBytes(b().envelope);
    } catch (error) {
      throw invalid((error as Error).message);
    }
    const ok = await verifyInclusion(b().leafIndex, treeSize, await leafHash(leaf), proof as Uint8Array[], rootHash);
    if (!ok) throw invalid(`the attestation is not leaf ${b().leafIndex} of the tree of size ${treeSize}`);
    return { value: true, message: `attestation is leaf ${b().leafIndex} of the tree of size ${treeSize}` };
  });

  return {
    ok: checks.every((check) => check.ok),
    checks,
    ...(attestation.ok ? { attestation: attestation.value } : {}),
    ...(bundle.ok ? { leafIndex: b().leafIndex } : {}),
    ...(checkpoint.ok ? { treeSize: checkpoint.value.treeSize } : {}),
  };
}
