import type { Principal } from './principal.js';

/** At most this many tokens are remembered (a line has a few dozen): the oldest entry goes first. */
export const PRINCIPAL_CACHE_MAX_ENTRIES = 1000;

export interface PrincipalCacheOptions {
  /** How long an entry may be used, from the start of the lookup that read it; 0: no caching. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
  /** The clock, in milliseconds (tests inject one). */
  readonly now?: () => number;
}

interface Entry {
  readonly principal: Principal;
  readonly expiresAtMs: number;
}

/** What a lookup took at its start and hands back to {@link PrincipalCache.store}. */
export interface LookupTicket {
  readonly generation: number;
  readonly startedAtMs: number;
}

/**
 * The principals of recently authenticated bearer tokens, in this process, so a station's three
 * calls per device do not each read `api_tokens`. Keyed by the token's SHA-256 (what the database
 * stores; never the token), bounded in size and age, and holding successes only: an unknown token
 * is looked up every time (a token just created works at once; every failed guess still reaches
 * the database and the failure limiter).
 *
 * Revocation: {@link forgetToken} / {@link forgetStation} drop entries at once in this process,
 * and every lookup still in flight at that moment is not stored (its read may predate the change);
 * another API process keeps using its entry until it expires, at most `ttlMs` after the change
 * committed (an entry's age counts from the start of the read that filled it).
 */
export class PrincipalCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  #generation = 0;

  constructor(options: PrincipalCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? PRINCIPAL_CACHE_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  /** The cached principal of the token with this hash, unless expired or never cached. */
  get(tokenHash: Uint8Array): Principal | undefined {
    if (this.#ttlMs === 0) return undefined;
    const key = keyOf(tokenHash);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() >= entry.expiresAtMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  /** Call before reading the token: {@link store} needs it. */
  ticket(): LookupTicket {
    return { generation: this.#generation, startedAtMs: this.#now() };
  }

  /**
   * Remembers the principal a lookup started at `ticket` found active; ignored when something was
   * forgotten since (the read may be older than a revocation) or when it would already be expired.
   */
  store(tokenHash: Uint8Array, principal: Principal, ticket: LookupTicket): void {
    if (this.#ttlMs === 0 || ticket.generation !== this.#generation) return;
    const expiresAtMs = ticket.startedAtMs + this.#ttlMs;
    if (this.#now() >= expiresAtMs) return;
    const key = keyOf(tokenHash);
    this.#entries.delete(key); // re-inserted last: the map's order is the eviction order
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { principal, expiresAtMs });
  }

  /** Drops the token's entry (it was revoked) and voids the lookups in flight. */
  forgetToken(tokenId: string): void {
    this.#forget((principal) => principal.tokenId === tokenId);
  }

  /** Drops the entries of the station's tokens (its sealing key or line changed) and voids the lookups in flight. */
  forgetStation(stationId: string): void {
    this.#forget((principal) => principal.stationId === stationId);
  }

  /** How many entries are held (expired ones included until next read). */
  get size(): number {
    return this.#entries.size;
  }

  /** The held entries, for tests: the principals and their keys (token hashes, base64url). */
  entries(): ReadonlyArray<readonly [string, Principal]> {
    return [...this.#entries].map(([key, entry]) => [key, entry.principal] as const);
  }

  #forget(matches: (principal: Principal) => boolean): void {
    this.#generation += 1;
    for (const [key, entry] of this.#entries) {
      if (matches(entry.principal)) this.#entries.delete(key);
    }
  }
}

function keyOf(tokenHash: Uint8Array): string {
  return Buffer.from(tokenHash.buffer, tokenHash.byteOffset, tokenHash.byteLength).toString('base64url');
}
