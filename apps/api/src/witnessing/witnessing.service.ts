import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  type Cosignature,
  type StoredCheckpoint,
  parseSignedNote,
  parseTlogSize,
  verifyCosignature,
} from '#ingrain/crypto';
import { ApiConfig } from '../config/api-config.js';
import type { WitnessEndpoint } from '../config/witness-config.js';
import { AppError } from '../errors/app-error.js';
import { WitnessRepository } from '../repositories/witness-repository.js';
import { WitnessClient, type WitnessResponse } from './witness-client.js';
import { WitnessLogView } from './witness-log-view.js';
import type { WitnessedCheckpointView } from './witnessing.schemas.js';

/** What one witness did in a round. */
export type WitnessOutcome =
  | { readonly outcome: 'cosigned' | 'current'; readonly treeSize: number }
  | { readonly outcome: 'ahead'; readonly treeSize: number }
  | { readonly outcome: 'refused'; readonly status: number; readonly reason: string }
  | { readonly outcome: 'unreachable' | 'invalid-answer'; readonly reason: string };

/** A 409 is retried once with the size the witness reports; more means something else is wrong. */
const MAX_ATTEMPTS = 2;

/**
 * Collects cosignatures (c2sp.org/tlog-witness) on the log's latest signed checkpoint from every
 * configured witness, one round per INGRAIN_WITNESS_INTERVAL_MS, and serves the latest witnessed
 * checkpoint. Each witness gets the consistency proof from the size it last cosigned (a 409
 * answer tells it: retried once from that size). A cosignature is stored only once it verifies
 * with the witness's configured key over that exact checkpoint. Reads the log, never writes it.
 */
@Injectable()
export class WitnessingService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #logger = new Logger('Witnessing');
  /** The size each witness cosigned in this process, so an idle log costs no request. */
  readonly #cosigned = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(WitnessRepository) private readonly repository: WitnessRepository,
    @Inject(WitnessLogView) private readonly log: WitnessLogView,
    @Inject(WitnessClient) private readonly client: WitnessClient,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.witnessing !== null) this.#schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  /** One round: asks every witness about the latest checkpoint; never throws. */
  async round(): Promise<Map<string, WitnessOutcome>> {
    const outcomes = new Map<string, WitnessOutcome>();
    const witnessing = this.config.witnessing;
    const latest = witnessing && (await this.log.latestCheckpoint());
    if (!witnessing || !latest) return outcomes;
    await Promise.all(
      witnessing.witnesses.map(async (witness) => {
        const outcome = await this.#ask(witness, latest, witnessing.requestTimeoutMs).catch(
          (error: unknown): WitnessOutcome => ({ outcome: 'unreachable', reason: describe(error) }),
        );
        if (outcome.outcome !== 'cosigned' && outcome.outcome !== 'current') {
          this.#logger.warn(`witness ${witness.key.keyName} at ${witness.url}: ${summary(outcome)}`);
        }
        outcomes.set(witness.vkey, outcome);
      }),
    );
    return outcomes;
  }

  /** The latest checkpoint with its collected cosignature lines. WITNESSED_CHECKPOINT_NOT_FOUND when none. */
  async witnessed(): Promise<WitnessedCheckpointView> {
    const witnesses = this.config.witnessing?.witnesses ?? [];
    const found = await this.repository.latestWitnessed(witnesses.map((w) => w.vkey));
    if (!found) {
      const why = witnesses.length === 0 ? 'no witness is configured' : 'no witness has cosigned a checkpoint yet';
      throw new AppError('WITNESSED_CHECKPOINT_NOT_FOUND', why);
    }
    const byVkey = new Map(witnesses.map((w) => [w.vkey, w]));
    return {
      treeSize: found.treeSize,
      note: found.note + found.cosignatures.map((c) => c.signatureLine).join(''),
      cosignatures: found.cosignatures.map((c) => ({
        witnessKey: c.witnessVkey,
        keyName: byVkey.get(c.witnessVkey)?.key.keyName ?? c.witnessVkey.split('+')[0] ?? '',
        cosignedAt: c.cosignedAt.toISOString(),
      })),
    };
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#round = this.round()
        .catch((error: unknown) => this.#logger.warn(`witnessing round failed: ${describe(error)}`))
        .finally(() => this.#schedule(this.config.witnessing?.intervalMs ?? 0));
    }, delayMs);
    this.#timer.unref();
  }

  async #ask(witness: WitnessEndpoint, latest: StoredCheckpoint, timeoutMs: number): Promise<WitnessOutcome> {
    if (this.#cosigned.get(witness.vkey) === latest.treeSize) return { outcome: 'current', treeSize: latest.treeSize };
    let size = await this.repository.witnessSize(witness.vkey);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (size > latest.treeSize) return { outcome: 'ahead', treeSize: size };
      const proof = await this.log.consistencyProof(size, latest.treeSize);
      const answer = await this.client.addCheckpoint(
        witness.url,
        { oldSize: size, proof, note: latest.note },
        timeoutMs,
      );
      if (answer.status === 200) return this.#store(witness, latest, answer);
      if (answer.status !== 409) return { outcome: 'refused', status: answer.status, reason: firstLine(answer.body) };
      size = parseTlogSize(answer.body);
      await this.repository.setWitnessSize(witness.vkey, size);
    }
    return { outcome: 'refused', status: 409, reason: `still 409 after ${MAX_ATTEMPTS} attempts` };
  }

  async #store(witness: WitnessEndpoint, latest: StoredCheckpoint, answer: WitnessResponse): Promise<WitnessOutcome> {
    let cosignature: Cosignature;
    try {
      const note = parseSignedNote(`${latest.note}${answer.body}`);
      const line = note.signatures.find((s) => s.keyName === witness.key.keyName && s.keyId === witness.key.keyId);
      if (!line) return { outcome: 'invalid-answer', reason: 'no cosignature by the configured key' };
      cosignature = verifyCosignature(note.text, line, witness.key);
    } catch (error) {
      return { outcome: 'invalid-answer', reason: describe(error) };
    }
    const signatureLine = cosignatureLine(cosignature);
    await this.repository.addCosignature(latest.treeSize, latest.note, {
      witnessVkey: witness.vkey,
      signatureLine,
      cosignedAt: new Date(cosignature.timestampS * 1000),
    });
    this.#cosigned.set(witness.vkey, latest.treeSize);
    return { outcome: 'cosigned', treeSize: latest.treeSize };
  }
}

/** The note signature line of a verified cosignature, rebuilt from its parts (one canonical form). */
function cosignatureLine(c: Cosignature): string {
  const bytes = Buffer.alloc(12 + c.signature.length);
  bytes.writeUInt32BE(c.keyId, 0);
  bytes.writeBigUInt64BE(BigInt(c.timestampS), 4);
  bytes.set(c.signature, 12);
  return `\u2014 ${c.keyName} ${bytes.toString('base64')}\n`;
}

const firstLine = (text: string): string => text.split('\n')[0]?.slice(0, 200) ?? '';
const describe = (error: unknown): string => (error instanceof Error ? error.message : 'unknown failure');

function summary(outcome: WitnessOutcome): string {
  switch (outcome.outcome) {
    case 'refused':
      return `refused with ${outcome.status}: ${outcome.reason}`;
    case 'ahead':
      return `says it cosigned size ${outcome.treeSize}, beyond the log's latest checkpoint`;
    case 'unreachable':
    case 'invalid-answer':
      return `${outcome.outcome}: ${outcome.reason}`;
    case 'cosigned':
    case 'current':
      return `${outcome.outcome} at size ${outcome.treeSize}`;
  }
}
