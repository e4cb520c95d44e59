import {
  defaultAttestationPort,
  parseVerificationBundle,
  type PreparedTrust,
  type VerificationBundle,
} from '#ingrain/crypto';

/**
 * Row (a) of bench:crypto: one attestation with its proof, checked as BundleVerifier checks it
 * minus the certificate chain and binding: the bundle's JSON and schema, the DSSE signature with
 * the trusted attestation key (and the payload's canonical form and v1 rules), the checkpoint
 * signature (cached once verified) and the inclusion proof of the envelope's leaf. Library
 * functions only; false for anything that does not verify.
 */
export function verifyAttestationWithProof(text: string, trust: PreparedTrust): boolean {
  let bundle: VerificationBundle;
  try {
    bundle = parseVerificationBundle(JSON.parse(text));
    const verified = defaultAttestationPort.verify(bundle.attestation, trust.attestationPublicKeySpkiDer);
    const checkpoint = trust.checkpoints.verify(bundle.log.checkpoint);
    const leafBytes = verified.leafBytes?.() ?? defaultAttestationPort.leafBytes(bundle.attestation);
    const { leafIndex, inclusionProof } = bundle.log;
    trust.inclusions.verify({ leafBytes }, leafIndex, checkpoint.treeSize, inclusionProof, checkpoint.rootHash);
    return true;
  } catch {
    return false;
  }
}
