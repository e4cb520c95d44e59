import { createHash } from 'node:crypto';
import {
  type Checkpoint,
  type Ed25519Cosigner,
  type NoteVerifierKey,
  TLOG_SIZE_CONTENT_TYPE,
  TransparencyLogError,
  WitnessError,
  emptyTreeHash,
  parseAddCheckpointRequest,
  parseCheckpointText,
  parseSignedNote,
  verifyConsistency,
  verifySignedNote,
} from '#ingrain/crypto';
import type { CosignedCheckpoint, WitnessStateFile } from './state-file.js';

/** An HTTP answer of the witness (c2sp.org/tlog-witness status codes). */
export interface WitnessAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface WitnessOptions {
  readonly cosigner: Ed25519Cosigner;
  /** The logs this witness follows: their ECDSA note keys, named by origin. */
  readonly logKeys: readonly NoteVerifierKey[];
  readonly state: WitnessStateFile;
  /** POSIX seconds (tests pin it). */
  readonly nowS?: () => number;
  /** Where refusals are reported (sizes, origins and reasons only). */
  readonly report?: (line: string) => void;
}

const TEXT = 'text/plain; charset=utf-8';
const answer = (status: number, body: string, contentType = TEXT): WitnessAnswer => ({
  status,
  contentType,
  body: body.endsWith('\n') ? body : `${body}\n`,
});

class Refusal extends Error {
  constructor(
    readonly answer: WitnessAnswer,
    readonly logged: boolean,
  ) {
    super(answer.body.trim());
  }
}
const refuse = (status: number, reason: string, logged = false): never => {
  throw new Refusal(answer(status, reason), logged);
};

/**
 * A c2sp.org/tlog-witness witness for a fixed set of logs. Cosigns a checkpoint only when it is
 * signed by the log's key and proven consistent with the latest checkpoint this witness cosigned
 * for that origin, and records it durably before answering. Requests are serialised, so the
 * check of the old size and the update of the record are atomic (the spec's race).
 */
export class Witness {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly logKeys: ReadonlyMap<string, NoteVerifierKey>;
  private readonly nowS: () => number;

  constructor(private readonly options: WitnessOptions) {
    this.logKeys = new Map(options.logKeys.map((key) => [key.keyName, key]));
    this.nowS = options.nowS ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Handles one `POST /add-checkpoint` body; never throws for a bad request (it answers 4xx). */
  addCheckpoint(body: string): Promise<WitnessAnswer> {
    const run = this.tail.then(() => this.addNow(body));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** `GET /<hex SHA-256 of origin>/checkpoint`: the latest cosigned note, or 404. */
  latestCheckpoint(originHashHex: string): WitnessAnswer {
    for (const origin of this.logKeys.keys()) {
      if (createHash('sha256').update(origin).digest('hex') !== originHashHex) continue;
      const cosigned = this.options.state.get(origin);
      if (cosigned) return answer(200, cosigned.note);
    }
    return answer(404, 'no checkpoint cosigned for this log');
  }

  private async addNow(body: string): Promise<WitnessAnswer> {
    try {
      return await this.cosign(body);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      if (error.logged) this.options.report?.(`refused: ${error.message}`);
      return error.answer;
    }
  }

  private async cosign(body: string): Promise<WitnessAnswer> {
    const request = parseOrRefuse(() => parseAddCheckpointRequest(body));
    const parsedNote = parseOrRefuse(() => parseSignedNote(request.note));
    const checkpoint = parseOrRefuse(() => parseCheckpointText(parsedNote.text));
    const key = this.logKeys.get(checkpoint.origin) ?? refuse(404, `unknown log origin "${checkpoint.origin}"`);
    try {
      verifySignedNote(request.note, key);
    } catch (error) {
      refuse(403, `the checkpoint is not validly signed by the log key (${(error as Error).message})`);
    }
    if (request.oldSize > checkpoint.treeSize) {
      refuse(400, `old size ${request.oldSize} is larger than the checkpoint size ${checkpoint.treeSize}`);
    }
    const latest = this.options.state.get(checkpoint.origin);
    const latestSize = latest?.treeSize ?? 0;
    if (request.oldSize !== latestSize) {
      throw new Refusal(answer(409, `${latestSize}\n`, TLOG_SIZE_CONTENT_TYPE), false);
    }
    this.checkConsistent(checkpoint, request.oldSize, request.proof, latest);
    const textLine = this.options.cosigner.cosign(parsedNote.text, this.nowS());
    const record: CosignedCheckpoint = {
      treeSize: checkpoint.treeSize,
      rootHash: Buffer.from(checkpoint.rootHash).toString('base64'),
      note: `${request.note}${textLine}`,
    };
    await this.options.state.commit(checkpoint.origin, record); // durable before the answer
    return answer(200, textLine);
  }

  private checkConsistent(
    checkpoint: Checkpoint,
    oldSize: number,
    proof: readonly Uint8Array[],
    latest: CosignedCheckpoint | undefined,
  ): void {
    const where = `${checkpoint.origin} at size ${checkpoint.treeSize}`;
    if (checkpoint.treeSize === 0 && !Buffer.from(checkpoint.rootHash).equals(emptyTreeHash())) {
      refuse(422, `${where}: a tree of size 0 must have the empty tree's root`, true);
    }
    if (oldSize === 0) {
      if (proof.length > 0) refuse(422, `${where}: the proof from size 0 must be empty`, true);
      return;
    }
    const oldRoot = Buffer.from(latest?.rootHash ?? '', 'base64');
    try {
      verifyConsistency(oldSize, checkpoint.treeSize, proof, oldRoot, checkpoint.rootHash);
    } catch (error) {
      if (!(error instanceof TransparencyLogError)) throw error;
      refuse(422, `${where} is not consistent with the cosigned size ${oldSize}: ${error.message}`, true);
    }
  }
}

function parseOrRefuse<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof WitnessError || error instanceof TransparencyLogError) refuse(400, error.message);
    throw error;
  }
}
