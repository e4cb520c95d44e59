import type { Role } from './roles.js';

/** Who is calling: the authenticated token, as handlers see it (`@CurrentPrincipal()`). */
export interface Principal {
  readonly tokenId: string;
  readonly tokenName: string;
  readonly role: Role;
  /** The station a `station` token is bound to; null for every other role. */
  readonly stationId: string | null;
  /** That station's line, read with the token (one join); null for every other role. */
  readonly stationLine: string | null;
  /** That station's registered sealing public key (65 bytes), read with the token; null when none. */
  readonly stationSealingKey: Uint8Array | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on authenticated routes. */
    principal?: Principal;
  }
}
