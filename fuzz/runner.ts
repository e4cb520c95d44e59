// The run: `requests` requests from the factory, at most `concurrency` in flight, each judged as
// its answer arrives.
import type { OpenApiOperation } from '../testkit/openapi-operations.js';
import type { FuzzRequest } from './cases.js';
import { judge, type Finding } from './judge.js';
import { sendRaw } from '../testkit/raw-http.js';
import { isAnswer, newAgent, send, type FuzzAnswer, type FuzzNoAnswer } from './send.js';

export interface RunOptions {
  readonly requests: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Called after each answer (progress). */
  readonly onAnswer?: (done: number) => void;
  /** Called with each request and its outcome (the --trace file). */
  readonly onResult?: (request: FuzzRequest, result: FuzzAnswer | FuzzNoAnswer, finding: Finding | undefined) => void;
}

/** Where the requests come from (RequestFactory; a spec's fixed list). */
export interface RequestSource {
  next(index: number): FuzzRequest;
}

export interface FailedRequest {
  readonly request: FuzzRequest;
  readonly finding: Finding;
}

export interface RunResult {
  readonly requests: number;
  readonly durationMs: number;
  /** Answers by status code; requests without an answer by their error (`no answer: ECONNRESET`). */
  readonly byStatus: ReadonlyMap<string, number>;
  /** Answers by operation and status class (`POST /v1/devices` → `4xx` → n). */
  readonly byOperation: ReadonlyMap<string, Map<string, number>>;
  readonly failures: readonly FailedRequest[];
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export async function runFuzz(
  port: number,
  factory: RequestSource,
  operations: readonly OpenApiOperation[],
  options: RunOptions,
): Promise<RunResult> {
  const byId = new Map(operations.map((operation) => [operation.operationId, operation]));
  const agent = newAgent(options.concurrency);
  const byStatus = new Map<string, number>();
  const byOperation = new Map<string, Map<string, number>>();
  const failures: FailedRequest[] = [];
  let issued = 0;
  let done = 0;
  const started = performance.now();

  async function worker(): Promise<void> {
    while (issued < options.requests) {
      const request = factory.next(issued++);
      const result =
        request.raw === undefined
          ? await send(port, agent, request, options.timeoutMs)
          : await sendRaw(port, request.raw, options.timeoutMs);
      const label = isAnswer(result) ? String(result.status) : `no answer: ${result.error}`;
      increment(byStatus, label);
      const perOperation = byOperation.get(request.operation) ?? new Map<string, number>();
      byOperation.set(request.operation, perOperation);
      increment(perOperation, isAnswer(result) ? `${String(result.status).charAt(0)}xx` : 'none');
      const operation = request.operationId === undefined ? undefined : byId.get(request.operationId);
      // A raw request has no documented operation: only its refusals are judged (5xx, 4xx shape).
      const rawSuccess = request.raw !== undefined && isAnswer(result) && result.status < 300;
      const finding = rawSuccess ? undefined : judge(operation, result, request.method);
      if (finding !== undefined) failures.push({ request, finding });
      options.onResult?.(request, result, finding);
      done += 1;
      options.onAnswer?.(done);
    }
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  } finally {
    agent.destroy();
  }
  return {
    requests: done,
    durationMs: Math.round(performance.now() - started),
    byStatus,
    byOperation,
    failures: failures.sort((a, b) => a.request.index - b.request.index),
  };
}
