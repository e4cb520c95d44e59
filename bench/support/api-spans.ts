// Where a device request's time goes, for bench:api: wall time spent in the request handler, in
// identity issuance (HSM work plus certificate encoding), in the creating transaction, and in the
// enqueue, accumulated by wrapping those methods on the running app's singletons. Client latency
// minus handler time is HTTP, authentication (a token lookup), validation and serialization.

/** Accumulated wall time of one span, ms. */
export class Span {
  totalMs = 0;
  count = 0;

  reset(): void {
    this.totalMs = 0;
    this.count = 0;
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.totalMs / this.count;
  }
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/** Wraps `object[method]` (an async method of a singleton) so each call's wall time adds to `span`. */
export function timeMethod<K extends string>(object: Record<K, AsyncMethod>, method: K, span: Span): void {
  const original = object[method].bind(object) as (...args: unknown[]) => Promise<unknown>;
  const timed = async (...args: unknown[]): Promise<unknown> => {
    const start = performance.now();
    try {
      return await original(...args);
    } finally {
      span.totalMs += performance.now() - start;
      span.count++;
    }
  };
  object[method] = timed;
}

/** The spans bench:api reports. */
export interface RequestSpans {
  readonly handler: Span;
  readonly issue: Span;
  readonly transaction: Span;
  readonly enqueue: Span;
}

export function newSpans(): RequestSpans {
  return { handler: new Span(), issue: new Span(), transaction: new Span(), enqueue: new Span() };
}

export function resetSpans(spans: RequestSpans): void {
  for (const span of [spans.handler, spans.issue, spans.transaction, spans.enqueue]) span.reset();
}
