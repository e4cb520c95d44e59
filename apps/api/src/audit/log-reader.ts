import { Inject, Injectable } from '@nestjs/common';
import {
  TransparencyLog,
  buildVerificationBundle,
  encodePem,
  type StoredCheckpoint,
  type VerificationBundleDocument,
} from '#ingrain/crypto';
import { LogService } from '../log/log.service.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { PgLogStore } from '../repositories/pg-log-store.js';
import { TrustError } from '../trust/trust-error.js';
import { TrustService } from '../trust/trust.service.js';

/** An inclusion proof against a signed checkpoint. */
export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** RFC 9162 PATH(leafIndex, D[treeSize]), leaf level first. */
  readonly hashes: readonly Uint8Array[];
}

/**
 * The auditor's reads of the transparency log: signed checkpoints, inclusion and consistency
 * proofs, verification bundles. Plain queries on committed data (stored nodes never change); the
 * only write is the first checkpoint of a log that has none, which the writer signs.
 */
@Injectable()
export class LogReader {
  readonly #log: TransparencyLog;

  constructor(
    @Inject(PgLogStore) store: PgLogStore,
    @Inject(AttestationRepository) private readonly attestations: AttestationRepository,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(TrustService) private readonly trust: TrustService,
    @Inject(LogService) private readonly writer: LogService,
  ) {
    this.#log = new TransparencyLog({
      store,
      origin: trust.logOrigin,
      signer: trust.logSigner,
    });
  }

  /**
   * A signed checkpoint covering every committed entry: the latest stored one, or a new one the
   * writer integrates at once (batched, shared with concurrent callers) when entries wait.
   */
  latestCheckpoint(): Promise<StoredCheckpoint> {
    return this.writer.currentCheckpoint();
  }

  /** The checkpoint signed at exactly `treeSize`, if any. */
  checkpointAt(treeSize: number): Promise<StoredCheckpoint | undefined> {
    return this.#log.checkpointAt(treeSize);
  }

  /**
   * Inclusion proof of `leafIndex` in the tree of size `treeSize` (default: the latest checkpoint's).
   * @throws TransparencyLogError LOG_INDEX_OUT_OF_RANGE unless 0 ≤ leafIndex < treeSize ≤ the log's size.
   */
  async inclusionProof(leafIndex: number, treeSize?: number): Promise<InclusionProof> {
    const size = treeSize ?? (await this.latestCheckpoint()).treeSize;
    return { leafIndex, treeSize: size, hashes: await this.#log.inclusionProof(leafIndex, size) };
  }

  /**
   * Consistency proof PROOF(fromSize, D[toSize]) (RFC 9162 §2.1.4); empty when fromSize is 0 or
   * equals toSize. @throws TransparencyLogError LOG_INDEX_OUT_OF_RANGE unless 0 ≤ from ≤ to ≤ size.
   */
  consistencyProof(fromSize: number, toSize: number): Promise<Uint8Array[]> {
    return this.#log.consistencyProof(fromSize, toSize);
  }

  /**
   * The verification bundle (docs/verifier.md, exactly what `ingrain-verify` reads) of the
   * attestation at `leafIndex`, against the latest checkpoint; undefined when no attestation has
   * that index. @throws TrustError `TRUST_BUNDLE_INCOMPLETE` if the attested device has no certificate.
   */
  async bundle(leafIndex: number): Promise<VerificationBundleDocument | undefined> {
    const record = await this.attestations.get(leafIndex);
    if (record === undefined) return undefined;
    const device = await this.devices.get(record.deviceId);
    if (device?.certificateDer == null) {
      throw new TrustError(
        'TRUST_BUNDLE_INCOMPLETE',
        `attested device ${record.deviceId} has no certificate on record`,
      );
    }
    const source = {
      envelope: JSON.parse(record.envelope) as Record<string, unknown>,
      leafIndex,
      deviceCertificatePem: encodePem('CERTIFICATE', device.certificateDer),
      caCertificatePem: this.trust.caCertificatePem,
    };
    return buildVerificationBundle(this.#log, source, await this.latestCheckpoint());
  }
}
