import { Inject, Injectable } from '@nestjs/common';
import { type StoredCheckpoint, TransparencyLog } from '#ingrain/crypto';
import { PgLogStore } from '../repositories/pg-log-store.js';
import { TrustService } from '../trust/trust.service.js';

/**
 * Read-only view of the transparency log for witnessing: the latest signed checkpoint and
 * consistency proofs. Never appends or signs (the log module owns that); it only reads what the
 * writer stored, so witnessing stays decoupled from when and how checkpoints are signed.
 */
@Injectable()
export class WitnessLogView {
  readonly #log: TransparencyLog;

  constructor(@Inject(PgLogStore) store: PgLogStore, @Inject(TrustService) trust: TrustService) {
    this.#log = new TransparencyLog({ store, origin: trust.logOrigin, signer: trust.logSigner });
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#log.latestCheckpoint();
  }

  consistencyProof(fromSize: number, toSize: number): Promise<Uint8Array[]> {
    return this.#log.consistencyProof(fromSize, toSize);
  }
}
