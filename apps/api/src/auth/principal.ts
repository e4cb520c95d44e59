import type { Role } from './roles.js';

/** Who is calling: the authenticated token, as handlers see it (`@CurrentPrincipal()`). */
export interface Principal {
  readonly tokenId: string;
  readonly tokenName: string;
  readonly role: Role;
  /** The station a `station` token is bound to; null for every other role. */
  readonly stationId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on authenticated routes. */
    principal?: Principal;
  }
}
