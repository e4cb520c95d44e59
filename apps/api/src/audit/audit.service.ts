import { Inject, Injectable } from '@nestjs/common';
import { CONSISTENCY_PROOF_FORMAT, logVkeyString, type StoredCheckpoint } from '#ingrain/crypto';
import { AppError } from '../errors/app-error.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import { TrustService } from '../trust/trust.service.js';
import { decodePayload, toCheckpointView, toSummary } from './audit-views.js';
import type {
  AttestationDetail,
  AttestationList,
  AttestationSearchQuery,
  ConsistencyQuery,
  LogCheckpointView,
  LogConsistencyView,
  PublicKeysView,
  VerificationBundleView,
} from './audit.schemas.js';
import { LogReader } from './log-reader.js';
import { type CheckpointHistoryQuery, type CheckpointHistoryView } from './log-tiles.schemas.js';
import { z } from 'zod';
import { cursorPage, decodeCursor } from '../http/cursor.js';

const ATTESTATION_LIST = 'attestations';
const leafIndexKey = z.tuple([z.int().min(0)]);
const CHECKPOINT_LIST = 'log-checkpoints';
const treeSizeKey = z.tuple([z.int().min(0)]);
import { bytesToBase64 } from '#ingrain/encoding';

const attestationNotFound = (leafIndex: number): AppError =>
  new AppError('ATTESTATION_NOT_FOUND', `no attestation is logged at leaf index ${leafIndex}`);

/**
 * What auditors read: logged attestations (search, detail with inclusion proof, verifier bundle),
 * signed checkpoints, consistency proofs and the public trust material. Read-only.
 */
@Injectable()
export class AuditService {
  constructor(
    @Inject(AttestationRepository) private readonly attestations: AttestationRepository,
    @Inject(LogReader) private readonly log: LogReader,
    @Inject(TrustService) private readonly trust: TrustService,
  ) {}

  /** Attestations matching every given filter, in log order, one page at a time. */
  async search(query: AttestationSearchQuery): Promise<AttestationList> {
    const { limit, offset = 0, cursor, ...filters } = query;
    const after = cursor === undefined ? undefined : decodeCursor(ATTESTATION_LIST, cursor, leafIndexKey)[0];
    const rows = await this.attestations.search(filters, {
      limit: limit + 1,
      offset,
      ...(after === undefined ? {} : { after }),
    });
    const page = cursorPage(ATTESTATION_LIST, rows, limit, (row) => [row.leafIndex]);
    return {
      attestations: page.items.map(toSummary),
      limit,
      offset,
      nextOffset: page.nextCursor === null || cursor !== undefined ? null : offset + limit,
      nextCursor: page.nextCursor,
    };
  }

  /**
   * One attestation: record, envelope, decoded payload, inclusion proof against the latest checkpoint.
   * @throws AppError ATTESTATION_NOT_FOUND.
   */
  async get(leafIndex: number): Promise<AttestationDetail> {
    const record = await this.attestations.get(leafIndex);
    if (record === undefined) throw attestationNotFound(leafIndex);
    const checkpoint = await this.log.latestCheckpoint();
    const proof = await this.log.inclusionProof(leafIndex, checkpoint.treeSize);
    const envelope = JSON.parse(record.envelope) as AttestationDetail['envelope'];
    return {
      ...toSummary(record),
      envelope,
      attestation: decodePayload(envelope),
      inclusionProof: { treeSize: proof.treeSize, hashes: proof.hashes.map(bytesToBase64) },
      checkpoint: this.#checkpointView(checkpoint),
    };
  }

  /** The verification bundle of one attestation. @throws AppError ATTESTATION_NOT_FOUND. */
  async bundle(leafIndex: number, treeSize?: number): Promise<VerificationBundleView> {
    const bundle = await this.log.bundle(leafIndex, treeSize);
    if (bundle === undefined) throw attestationNotFound(leafIndex);
    return bundle as VerificationBundleView;
  }

  async checkpoint(): Promise<LogCheckpointView> {
    return this.#checkpointView(await this.log.latestCheckpoint());
  }

  /**
   * A consistency proof between two signed checkpoints (`to` default: the latest).
   * @throws AppError CHECKPOINT_NOT_FOUND when no checkpoint was signed at a requested size.
   */
  async consistency(query: ConsistencyQuery): Promise<LogConsistencyView> {
    const newer = query.to === undefined ? await this.log.latestCheckpoint() : await this.#checkpointAt(query.to, 'to');
    if (query.from > newer.treeSize) {
      throw new AppError('CHECKPOINT_NOT_FOUND', `the latest checkpoint has tree size ${newer.treeSize}`, {
        errors: [{ path: 'query.from', message: `no checkpoint is signed at tree size ${query.from} yet` }],
      });
    }
    const older = await this.#checkpointAt(query.from, 'from');
    const proof = await this.log.consistencyProof(older.treeSize, newer.treeSize);
    return {
      fromTreeSize: older.treeSize,
      toTreeSize: newer.treeSize,
      newCheckpoint: newer.note,
      consistencyFile: { format: CONSISTENCY_PROOF_FORMAT, oldCheckpoint: older.note, proof: proof.map(bytesToBase64) },
    };
  }

  /**
   * Signed checkpoints, oldest first, one cursor page at a time.
   *
   * @throws AppError CURSOR_INVALID.
   */
  async checkpointHistory(query: CheckpointHistoryQuery): Promise<CheckpointHistoryView> {
    const after = query.cursor === undefined ? -1 : decodeCursor(CHECKPOINT_LIST, query.cursor, treeSizeKey)[0];
    const rows = await this.log.checkpointHistory(after, query.limit + 1);
    const page = cursorPage(CHECKPOINT_LIST, rows, query.limit, (row) => [row.treeSize]);
    return {
      checkpoints: page.items.map((row) => ({
        treeSize: row.treeSize,
        rootHash: bytesToBase64(row.rootHash),
        note: row.note,
        createdAt: row.createdAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
    };
  }

  keys(): PublicKeysView {
    const logVerifierKey = logVkeyString(this.trust.logOrigin, this.trust.logSigner.publicKeySpkiDer);
    return { ...this.trust.publicKeys(), logVerifierKey };
  }

  async #checkpointAt(treeSize: number, parameter: 'from' | 'to'): Promise<StoredCheckpoint> {
    const checkpoint = await this.log.checkpointAt(treeSize);
    if (checkpoint !== undefined) return checkpoint;
    throw new AppError('CHECKPOINT_NOT_FOUND', `no checkpoint was signed at tree size ${treeSize}`, {
      errors: [{ path: `query.${parameter}`, message: 'no checkpoint was signed at this tree size' }],
    });
  }

  #checkpointView(checkpoint: StoredCheckpoint): LogCheckpointView {
    return toCheckpointView(checkpoint, this.trust.logOrigin);
  }
}
