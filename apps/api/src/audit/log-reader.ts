import { Inject, Injectable } from '@nestjs/common';
import {
  TransparencyLog,
  buildVerificationBundle,
  encodeEntryBundle,
  encodePem,
  hashTileNodes,
  tileWidthAt,
  TILE_WIDTH,
  type StoredCheckpoint,
  type TileCoordinates,
  type VerificationBundleDocument,
} from '#ingrain/crypto';
import { AppError } from '../errors/app-error.js';
import { LogService } from '../log/log.service.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { PgLogStore, type CheckpointHistoryEntry } from '../repositories/pg-log-store.js';
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
  readonly #store: PgLogStore;

  constructor(
    @Inject(PgLogStore) store: PgLogStore,
    @Inject(AttestationRepository) private readonly attestations: AttestationRepository,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(TrustService) private readonly trust: TrustService,
    @Inject(LogService) private readonly writer: LogService,
  ) {
    this.#store = store;
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
  async bundle(leafIndex: number, treeSize?: number): Promise<VerificationBundleDocument | undefined> {
    const record = await this.attestations.get(leafIndex);
    if (record === undefined) return undefined;
    const device = await this.devices.get(record.deviceId);
    if (device?.certificateDer == null) {
      throw new TrustError(
        'TRUST_BUNDLE_INCOMPLETE',
        `attested device ${record.deviceId} has no certificate on record`,
      );
    }
    const checkpoint = treeSize === undefined ? await this.latestCheckpoint() : await this.#namedCheckpoint(treeSize);
    if (leafIndex >= checkpoint.treeSize) {
      throw new AppError(
        'LEAF_NOT_IN_CHECKPOINT',
        `the checkpoint of tree size ${checkpoint.treeSize} does not cover leaf ${leafIndex}`,
        {
          errors: [{ path: 'query.treeSize', message: `must be greater than the leaf index ${leafIndex}` }],
        },
      );
    }
    const source = {
      envelope: JSON.parse(record.envelope) as Record<string, unknown>,
      leafIndex,
      deviceCertificatePem: encodePem('CERTIFICATE', device.certificateDer),
      caCertificatePem: this.trust.caCertificatePem,
    };
    return buildVerificationBundle(this.#log, source, checkpoint);
  }

  /**
   * The checkpoint monitors see: the latest stored one, as the interval integration left it (never
   * signed on demand for an anonymous reader), so tiles and checkpoint are served from one size.
   */
  async publishedCheckpoint(): Promise<StoredCheckpoint> {
    return (await this.#log.latestCheckpoint()) ?? this.writer.currentCheckpoint();
  }

  /** Signed checkpoints oldest first: up to `limit` after tree size `afterTreeSize` (-1: from the first). */
  checkpointHistory(afterTreeSize: number, limit: number): Promise<CheckpointHistoryEntry[]> {
    return this.#store.readCheckpointHistory(afterTreeSize, limit);
  }

  /**
   * The bytes of a c2sp.org/tlog-tiles tile within the published checkpoint's tree: a hash tile
   * (32-byte hashes of tree level 8·L) or an entry bundle (uint16-length-prefixed envelope texts).
   * Undefined when that tree does not hold the tile at that width (a partial width up to what it
   * holds is served: its bytes never change).
   */
  async tile(tile: TileCoordinates): Promise<Uint8Array | undefined> {
    const { treeSize } = await this.publishedCheckpoint();
    const available = tileWidthAt(tile.level, tile.index, treeSize);
    if (tile.width > available || (tile.width === TILE_WIDTH && available < TILE_WIDTH)) return undefined;
    if (tile.level === 'entries') {
      const begin = tile.index * TILE_WIDTH;
      return encodeEntryBundle(await this.#store.readEntries(begin, begin + tile.width));
    }
    return Buffer.concat(await this.#store.readNodes(hashTileNodes({ ...tile, level: tile.level })));
  }

  async #namedCheckpoint(treeSize: number): Promise<StoredCheckpoint> {
    const checkpoint = await this.#log.checkpointAt(treeSize);
    if (checkpoint !== undefined) return checkpoint;
    throw new AppError('CHECKPOINT_NOT_FOUND', `no checkpoint was signed at tree size ${treeSize}`, {
      errors: [
        { path: 'query.treeSize', message: 'no checkpoint was signed at this tree size (see GET /v1/log/checkpoints)' },
      ],
    });
  }
}
