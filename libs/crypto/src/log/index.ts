// Transparency log: RFC 9162 Merkle tree, C2SP checkpoints in signed notes, offline proof checks.
export * from './errors.js';
export { HASH_SIZE_BYTES, emptyTreeHash, hashLeaf, hashChildren, hashesEqual } from './hashing.js';
export type { NodeId, LeafRange } from './tree-math.js';
export type { LogStore, LogAppendBatch, StoredNode, StoredCheckpoint } from './log-store.js';
export { InMemoryLogStore } from './memory-log-store.js';
export { LogFrontier, type FrontierAppend } from './frontier.js';
export { TransparencyLog, type AppendedLeaf, type TransparencyLogOptions } from './transparency-log.js';
export { type Checkpoint, formatCheckpointText, parseCheckpointText } from './checkpoint.js';
export {
  type NoteSignature,
  type SignedNote,
  type NoteVerifierKey,
  ecdsaNoteKeyId,
  noteVerifierKeyString,
  createNoteVerifierKey,
  signNote,
  parseSignedNote,
  verifySignedNote,
} from './signed-note.js';
export { signCheckpoint, verifyCheckpoint, CheckpointVerifier } from './checkpoint-note.js';
export { type LeafInput, rootFromInclusionProof, verifyInclusion } from './verify-inclusion.js';
export { verifyConsistency, rootsFromConsistencyProof } from './verify-consistency.js';
export { InclusionProofCache } from './inclusion-cache.js';
export { WitnessError, type WitnessErrorCode } from './witness-errors.js';
export {
  SIGNATURE_TYPE,
  type CosignerKey,
  type ParsedVkey,
  namedKeyId,
  ed25519PublicKeyRaw,
  createCosignerKey,
  cosignerVkeyString,
  logVkeyString,
  parseVkey,
  parseCosignerVkey,
  parseLogVkey,
} from './vkey.js';
export {
  COSIGNATURE_V1_BYTES,
  type Cosignature,
  cosignatureMessage,
  decodeCosignature,
  verifyCosignature,
  Ed25519Cosigner,
} from './cosignature.js';
export {
  type WitnessPolicy,
  type WitnessTally,
  type TallyOptions,
  createWitnessPolicy,
  tallyCosignatures,
  describeWitnessTally,
  requireWitnessPolicy,
} from './witness-policy.js';
export {
  MAX_PROOF_LINES,
  TLOG_SIZE_CONTENT_TYPE,
  type AddCheckpointRequest,
  formatAddCheckpointRequest,
  parseAddCheckpointRequest,
  parseTlogSize,
} from './witness-protocol.js';
export * from './tiles/index.js';
