import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TransparencyLog, verifyAttestationEnvelopeWithLeaf, type StoredCheckpoint } from '#ingrain/crypto';
import { Metrics } from '../metrics/metrics.js';
import type { PgLogStore } from '../repositories/pg-log-store.js';
import { Transactions } from '../repositories/transactions.js';
import { TrustError } from '../trust/trust-error.js';
import { TrustService } from '../trust/trust.service.js';
import { appendWithRetry } from './append-retry.js';
import { LogMetrics } from './log-metrics.js';

/** Where an attestation landed in the log, and the size of the checkpoint signed with it. */
export interface AppendedAttestation {
  readonly leafIndex: number;
  /** Tree size of the checkpoint signed in the same transaction (covers `leafIndex`). */
  readonly treeSize: number;
  /** True when this very envelope was already in the log (a repeated append): nothing was added. */
  readonly alreadyPresent: boolean;
}

/**
 * The writer of the transparency log of attestations (RFC 9162 tree, C2SP checkpoints signed by
 * `ingrain-log`) over the PostgreSQL store. Appends run inside the caller's transaction, so the
 * attestation, its leaf, the new checkpoint and the device's state change commit or roll back
 * together; they are serialized across API processes by a transaction-scoped advisory lock. The
 * auditor's reads (checkpoints, proofs, bundles) are the LogReader's (audit/).
 */
@Injectable()
export class LogService implements OnModuleInit {
  readonly #transactions: Transactions;
  readonly #trust: TrustService;
  readonly #metrics: LogMetrics;

  constructor(
    @Inject(Transactions) transactions: Transactions,
    @Inject(TrustService) trust: TrustService,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.#transactions = transactions;
    this.#trust = trust;
    this.#metrics = new LogMetrics(metrics);
  }

  /** Signs the first checkpoint of an empty log (or of any size not yet signed) at start-up. */
  async onModuleInit(): Promise<void> {
    this.#metrics.treeSize.set((await this.ensureCheckpoint()).treeSize);
  }

  /**
   * Appends a signed attestation and signs the checkpoint that covers it, in the transaction of
   * `store` (the caller's, from Transactions.run; a new one when `store` is not over a transaction). Idempotent: the same envelope
   * text appended again keeps its first index (`alreadyPresent`). Hold the transaction briefly
   * after this call: other writers wait for its commit.
   *
   * @param envelopeText the envelope exactly as stored in `attestations.envelope`:
   *   serializeAttestationEnvelope's normal form, which is the log leaf.
   * @throws AttestationError when the envelope does not verify with the attestation key;
   *   TrustError `TRUST_ENVELOPE_NOT_NORMAL` when the text is not the normal form; TransparencyLogError
   *   from the log (LOG_APPEND_CONFLICT only after repeated interference by a writer that ignores
   *   the lock); DatabaseError.
   */
  async appendAttestation(store: PgLogStore, envelopeText: string): Promise<AppendedAttestation> {
    const leaf = this.#leafOf(envelopeText);
    return store.inTransaction(async (tx) => {
      await tx.lockWriters();
      const log = this.#logOver(tx);
      const appended = await appendWithRetry(log, leaf, () => this.#metrics.appendRetries.inc());
      const checkpoint = await log.checkpoint();
      if (!appended.alreadyPresent) this.#metrics.appended.inc();
      this.#metrics.treeSize.set(checkpoint.treeSize);
      return { leafIndex: appended.leafIndex, treeSize: checkpoint.treeSize, alreadyPresent: appended.alreadyPresent };
    });
  }

  /**
   * Signs and stores a checkpoint for the current tree unless the latest one already covers it;
   * returns the latest checkpoint. Safe to call from several processes at once.
   */
  ensureCheckpoint(): Promise<StoredCheckpoint> {
    return this.#transactions.run(async ({ log }) => {
      await log.lockWriters();
      return this.#logOver(log).checkpoint();
    });
  }

  #logOver(store: PgLogStore): TransparencyLog {
    return new TransparencyLog({
      store,
      origin: this.#trust.logOrigin,
      signer: this.#trust.logSigner,
    });
  }

  /** The leaf bytes of a verified envelope whose text is exactly its normal form. */
  #leafOf(envelopeText: string): Uint8Array {
    let envelope: unknown;
    try {
      envelope = JSON.parse(envelopeText);
    } catch (error) {
      throw new TrustError('TRUST_ENVELOPE_NOT_NORMAL', 'the attestation envelope is not JSON', { cause: error });
    }
    const leaf = verifyAttestationEnvelopeWithLeaf(
      envelope,
      this.#trust.attestationSigner.publicKeySpkiDer,
    ).leafBytes();
    if (Buffer.compare(leaf, Buffer.from(envelopeText, 'utf8')) !== 0) {
      throw new TrustError(
        'TRUST_ENVELOPE_NOT_NORMAL',
        'the attestation envelope text is not its normal form: store and append serializeAttestationEnvelope(envelope)',
      );
    }
    return leaf;
  }
}
