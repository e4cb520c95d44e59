// Where a request's time goes, for bench:api: wall time spent in named methods of the running
// app's singletons (request handlers, identity issuance, claim and report services, HSM signing,
// the log append, transactions, token authentication), accumulated by wrapping those methods.
// Client latency minus handler time is HTTP, authentication, validation and serialization.
// The app's internals change: a method that is no longer there leaves its span `n/a` (reported as
// such) instead of failing the run.

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

/** A span to install: the method `method` of the object `owner()` returns (it may throw: not there). */
export interface SpanSpec {
  readonly name: string;
  /** Class and method, for the report (`ClaimsService.claim`). */
  readonly where: string;
  readonly owner: () => unknown;
  readonly method: string;
}

/** A span's totals as they cross the process boundary; null when its method was not found. */
export type SpanTotals = Readonly<Record<string, { readonly totalMs: number; readonly count: number } | null>>;

/** Named spans installed on a running app. */
export class SpanSet {
  readonly #spans = new Map<string, Span | null>();
  /** Why each missing span is missing, for the report. */
  readonly missing = new Map<string, string>();

  /** Installs every spec it can; a missing object or method leaves that span n/a. */
  static install(specs: readonly SpanSpec[]): SpanSet {
    const set = new SpanSet();
    for (const spec of specs) set.#install(spec);
    return set;
  }

  #install(spec: SpanSpec): void {
    try {
      const owner = spec.owner() as Record<string, unknown> | null | undefined;
      if (owner === null || owner === undefined || typeof owner[spec.method] !== 'function') {
        throw new Error(`${spec.where} is not a method of the running app`);
      }
      const span = new Span();
      timeMethod(owner as Record<string, AsyncMethod>, spec.method, span);
      this.#spans.set(spec.name, span);
    } catch (error) {
      this.#spans.set(spec.name, null);
      this.missing.set(spec.name, `${spec.where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  reset(): void {
    for (const span of this.#spans.values()) span?.reset();
  }

  totals(): SpanTotals {
    return Object.fromEntries(
      [...this.#spans].map(([name, span]) => [
        name,
        span === null ? null : { totalMs: span.totalMs, count: span.count },
      ]),
    );
  }
}

/**
 * Total ms of span `name` per `per` (a device, a request), or undefined when the span is n/a: its
 * method is missing, or was never called in the row (a renamed entry point leaves it uncalled).
 */
export function spanPer(totals: SpanTotals, name: string, per: number): number | undefined {
  const span = totals[name];
  if (span === null || span === undefined || span.count === 0) return undefined;
  return span.totalMs / Math.max(1, per);
}
