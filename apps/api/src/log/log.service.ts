import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  hashLeaf,
  type LogFrontier,
  TransparencyLogError,
  verifyAttestationEnvelopeSignature,
  type StoredCheckpoint,
} from '#ingrain/crypto';
import { ApiConfig } from '../config/api-config.js';
import { Metrics } from '../metrics/metrics.js';
import type { PgLogStore } from '../repositories/pg-log-store.js';
import { Transactions } from '../repositories/transactions.js';
import { TrustError } from '../trust/trust-error.js';
import { TrustService } from '../trust/trust.service.js';
import { logOver } from './checkpoint-in.js';
import { LogMetrics } from './log-metrics.js';

/** Fresh reads of the log's right edge before an append gives up on LOG_APPEND_CONFLICT. */
export const MAX_APPEND_ATTEMPTS = 3;

/** Where an attestation landed in the log. */
export interface AppendedAttestation {
  readonly leafIndex: number;
  /** Tree size right after this append (in the caller's transaction); no checkpoint covers it yet. */
  readonly treeSize: number;
  /** True when this very envelope was already in the log (a repeated append): nothing was added. */
  readonly alreadyPresent: boolean;
}

/** Default of INGRAIN_LOG_CHECKPOINT_INTERVAL_MS when no ApiConfig is given (unit tests, tools). */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;

/**
 * The writer of the transparency log of attestations (RFC 9162 tree, C2SP checkpoints signed by
 * `ingrain-log`) over the PostgreSQL store, integrating checkpoints in batches as tiled logs do:
 * - an append runs inside the caller's transaction (attestation, leaf and device state commit or
 *   roll back together) and signs nothing; appends are serialised across API processes by a
 *   transaction-scoped advisory lock;
 * - one checkpoint covering every committed entry is signed per interval
 *   (INGRAIN_LOG_CHECKPOINT_INTERVAL_MS) when entries wait, or at once when a reader needs one
 *   covering them ({@link currentCheckpoint}); concurrent requests in one process share one
 *   signature, and across processes the same advisory lock plus "one checkpoint per size" make
 *   the second process find the first one's checkpoint instead of signing again.
 * The auditor's reads (proofs, bundles, tiles) are the LogReader's (audit/).
 */
@Injectable()
export class LogService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  readonly #transactions: Transactions;
  readonly #trust: TrustService;
  readonly #metrics: LogMetrics;
  readonly #intervalMs: number;
  readonly #logger = new Logger(LogService.name);
  #integrating: Promise<StoredCheckpoint> | undefined;
  /**
   * The log's right edge after this process's last append (not necessarily committed): appends
   * use it only through PgLogStore.appendOnFrontier, which writes nothing unless it is still the
   * stored edge. Saves reading the size and the edge nodes on every append.
   */
  #frontier: LogFrontier | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;

  constructor(
    @Inject(Transactions) transactions: Transactions,
    @Inject(TrustService) trust: TrustService,
    @Inject(Metrics) metrics: Metrics,
    @Optional() @Inject(ApiConfig) config?: Pick<ApiConfig, 'log'>,
  ) {
    this.#transactions = transactions;
    this.#trust = trust;
    this.#metrics = new LogMetrics(metrics);
    this.#intervalMs = config?.log.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  }

  /** Signs the first checkpoint of an empty log (or of any size not yet signed) at start-up. */
  async onModuleInit(): Promise<void> {
    this.#metrics.treeSize.set((await this.ensureCheckpoint()).treeSize);
  }

  /** Starts the interval integration (not in onModuleInit: tools and tests that build a LogService by hand get no timer). */
  onApplicationBootstrap(): void {
    this.#timer = setInterval(() => {
      this.#ticking ??= this.#tick().finally(() => (this.#ticking = undefined));
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
    await this.#integrating?.catch(() => undefined);
  }

  /**
   * Appends a signed attestation in the transaction of `store` (the caller's, from Transactions.run;
   * a new one when `store` is not over a transaction). Signs no checkpoint: the next integration
   * covers it. Idempotent: the same envelope text appended again keeps its first index
   * (`alreadyPresent`). Hold the transaction briefly after this call: other writers wait for its commit.
   *
   * @param envelopeText the envelope exactly as stored in `attestations.envelope`:
   *   serializeAttestationEnvelope's normal form, which is the log leaf.
   * @throws AttestationError when the envelope is not a DSSE attestation envelope signed by the
   *   attestation key (its payload is not re-parsed: see verifyAttestationEnvelopeSignature);
   *   TrustError `TRUST_ENVELOPE_NOT_NORMAL` when the text is not the normal form; TransparencyLogError
   *   from the log (LOG_APPEND_CONFLICT only after repeated interference by a writer that ignores
   *   the lock); DatabaseError.
   */
  async appendAttestation(store: PgLogStore, envelopeText: string): Promise<AppendedAttestation> {
    const leafHash = hashLeaf(this.#leafOf(envelopeText));
    return store.inTransaction(async (tx) => {
      await tx.lockWriters();
      return this.#appendLocked(tx, leafHash);
    });
  }

  /**
   * The append itself, under the writers' lock: one statement on the frontier kept from the last
   * append when it is still the log's edge (the statement checks it), else on the edge read again.
   * Gives up with LOG_APPEND_CONFLICT after MAX_APPEND_ATTEMPTS fresh reads that went stale (only
   * a writer that ignores the lock can cause that).
   */
  async #appendLocked(tx: PgLogStore, leafHash: Uint8Array): Promise<AppendedAttestation> {
    for (let fresh = 0; ;) {
      const kept = this.#frontier;
      this.#frontier = undefined;
      if (kept === undefined) fresh++;
      const frontier = kept ?? (await tx.readFrontier());
      const step = frontier.append(leafHash);
      const outcome = await tx.appendOnFrontier(frontier, step);
      if (outcome.kind === 'appended') {
        // Kept before this transaction commits: if it rolls back, the next append's statement finds
        // the edge changed and reads it again, so a frontier is never trusted without that check.
        this.#frontier = step.next;
        this.#metrics.appended.inc();
        return { leafIndex: step.leafIndex, treeSize: step.next.treeSize, alreadyPresent: false };
      }
      if (outcome.kind === 'present') {
        this.#frontier = frontier;
        return { leafIndex: outcome.leafIndex, treeSize: outcome.treeSize, alreadyPresent: true };
      }
      if (kept !== undefined) continue; // the kept edge went stale: read it again (not a conflict)
      if (fresh >= MAX_APPEND_ATTEMPTS) {
        throw new TransparencyLogError(
          'LOG_APPEND_CONFLICT',
          `the log moved past tree size ${frontier.treeSize} during each of ${fresh} appends`,
        );
      }
      this.#metrics.appendRetries.inc();
    }
  }

  /**
   * A signed checkpoint covering every entry committed before this call: the latest stored one when
   * it does, else one integration (shared with any integration this process is already running
   * that covers them). Never call it inside an open transaction (it uses its own).
   */
  async currentCheckpoint(): Promise<StoredCheckpoint> {
    const { latest, treeSize } = await this.#transactions.run(async ({ log }) => ({
      treeSize: await log.readTreeSize(),
      latest: await log.readLatestCheckpoint(),
    }));
    if (latest !== undefined && latest.treeSize >= treeSize) return latest;
    const running = await this.#integrating?.catch(() => undefined);
    if (running !== undefined && running.treeSize >= treeSize) return running;
    const integrated = await this.integrate();
    if (integrated.treeSize < treeSize) {
      throw new TransparencyLogError(
        'LOG_STATE_INCONSISTENT',
        `integration signed tree size ${integrated.treeSize}, below the ${treeSize} entries committed`,
      );
    }
    return integrated;
  }

  /**
   * Integrates now: signs and stores a checkpoint for every committed entry unless the latest one
   * covers them (then returns it). One at a time per process (a caller arriving while one runs
   * shares it); across processes serialised by the writers' advisory lock.
   */
  integrate(): Promise<StoredCheckpoint> {
    this.#integrating ??= this.ensureCheckpoint().finally(() => (this.#integrating = undefined));
    return this.#integrating;
  }

  /**
   * Signs and stores a checkpoint for the current tree unless the latest one already covers it;
   * returns the latest checkpoint. Safe to call from several processes at once.
   */
  ensureCheckpoint(): Promise<StoredCheckpoint> {
    return this.#transactions.run(async ({ log }) => {
      await log.lockWriters();
      const before = await log.readLatestCheckpoint();
      const checkpoint = await logOver(log, this.#trust).checkpoint();
      if (before?.treeSize !== checkpoint.treeSize) this.#metrics.checkpointsSigned.inc();
      this.#metrics.treeSize.set(checkpoint.treeSize);
      return checkpoint;
    });
  }

  /** One interval: integrates when entries wait beyond the latest checkpoint. Errors are logged, the next tick retries. */
  async #tick(): Promise<void> {
    try {
      await this.currentCheckpoint();
    } catch (error) {
      this.#logger.warn(`checkpoint integration failed: ${error instanceof Error ? error.message : 'unknown error'}`);
    }
  }

  /** The leaf bytes of a verified envelope whose text is exactly its normal form. */
  #leafOf(envelopeText: string): Uint8Array {
    let envelope: unknown;
    try {
      envelope = JSON.parse(envelopeText);
    } catch (error) {
      throw new TrustError('TRUST_ENVELOPE_NOT_NORMAL', 'the attestation envelope is not JSON', { cause: error });
    }
    // The signature only (one ECDSA verification, key cached): the payload was checked when the
    // attestation step built it (canonicalAttestationBytes) before this process's key signed it.
    const leaf = verifyAttestationEnvelopeSignature(envelope, this.#trust.attestationSigner.publicKeySpkiDer);
    if (Buffer.compare(leaf, Buffer.from(envelopeText, 'utf8')) !== 0) {
      throw new TrustError(
        'TRUST_ENVELOPE_NOT_NORMAL',
        'the attestation envelope text is not its normal form: store and append serializeAttestationEnvelope(envelope)',
      );
    }
    return leaf;
  }
}
