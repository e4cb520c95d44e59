// A small HTTP load generator for bench:api: keep-alive connections over loopback, closed-loop
// (N clients back to back: the throughput a concurrency level sustains) and open-loop (arrivals at
// a fixed rate whatever the answers: the latency a given load sees, without coordinated omission).
import { Agent, request } from 'node:http';

export interface LoadTarget {
  readonly host: string;
  readonly port: number;
}

/** One request to send: path, headers and JSON body (a fresh one per call); POST unless `method` says GET. */
export interface LoadRequest {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LoadResult {
  /** Requests answered with the expected status within the window. */
  readonly completed: number;
  /** Requests answered otherwise (or failed at the socket). */
  readonly errors: number;
  /** Requests answered as expected after the window closed (not in the rate; their work is in the CPU read after). */
  readonly late: number;
  /** Wall time of the window, ms. */
  readonly durationMs: number;
  /** Latency of every completed request, ms (open loop: from its scheduled start). */
  readonly latenciesMs: readonly number[];
  /** The first unexpected answer, for the report. */
  readonly firstError: string | undefined;
  /** Completed requests per second. */
  readonly perSecond: number;
}

/** Sends one request and reads the whole answer. */
export function send(target: LoadTarget, agent: Agent, spec: LoadRequest): Promise<{ status: number; body: string }> {
  const method = spec.method ?? 'POST';
  const bodyHeaders =
    method === 'GET' ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.body) };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: spec.path,
        method,
        agent,
        headers: { ...bodyHeaders, ...spec.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : spec.body);
  });
}

class Tally {
  completed = 0;
  errors = 0;
  late = 0;
  firstError: string | undefined;
  readonly latenciesMs: number[] = [];

  /** Sends one request; an answer after `deadline` is not counted (the window had closed). */
  async one(
    target: LoadTarget,
    agent: Agent,
    spec: LoadRequest,
    expected: number,
    startedAt: number,
    deadline = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    try {
      const answer = await send(target, agent, spec);
      if (performance.now() > deadline) {
        if (answer.status === expected) this.late++;
        return;
      }
      if (answer.status === expected) {
        this.completed++;
        this.latenciesMs.push(performance.now() - startedAt);
        return;
      }
      this.firstError ??= `${answer.status} ${answer.body.slice(0, 300)}`;
    } catch (error) {
      this.firstError ??= error instanceof Error ? error.message : String(error);
    }
    this.errors++;
  }

  result(durationMs: number): LoadResult {
    return {
      completed: this.completed,
      errors: this.errors,
      late: this.late,
      durationMs,
      latenciesMs: this.latenciesMs,
      firstError: this.firstError,
      perSecond: (this.completed * 1000) / durationMs,
    };
  }
}

/**
 * `concurrency` clients, each sending its next request as soon as the previous one is answered,
 * for `durationMs` (requests still in flight at the end are awaited but not counted).
 */
export async function closedLoop(
  target: LoadTarget,
  concurrency: number,
  durationMs: number,
  next: () => LoadRequest,
  expectedStatus: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const tally = new Tally();
  const start = performance.now();
  const deadline = start + durationMs;
  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await tally.one(target, agent, next(), expectedStatus, performance.now(), deadline);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  agent.destroy();
  return tally.result(durationMs);
}

/**
 * Requests started at a fixed rate for `durationMs`, whatever the answers; each latency counts from
 * the request's scheduled start, so a stalled server shows up as latency, not as fewer samples.
 */
export async function openLoop(
  target: LoadTarget,
  ratePerSecond: number,
  durationMs: number,
  next: () => LoadRequest,
  expectedStatus: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const tally = new Tally();
  const intervalMs = 1000 / ratePerSecond;
  const total = Math.max(1, Math.floor(durationMs / intervalMs));
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduledAt = start + i * intervalMs;
    const waitMs = scheduledAt - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    inFlight.push(tally.one(target, agent, next(), expectedStatus, scheduledAt));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return tally.result(performance.now() - start);
}
