import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiConfig } from '../config/api-config.js';
import { AppError } from '../errors/app-error.js';
import { ConsoleSessionRepository } from '../repositories/console-session-repository.js';
import type { Principal } from './principal.js';
import { ROLES, type Role } from './roles.js';
import { clearedSessionCookie, hashSessionId, newSessionSecret, sessionCookie, sessionIdOf } from './session-cookie.js';
import { TokenAuthenticator } from './token-authenticator.js';

/** Methods that change nothing: the only ones a cookie-authenticated request may send without the CSRF header. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The roles that may sign in to the console (a station has no page). */
const CONSOLE_ROLES: readonly Role[] = ['admin', 'mes', 'auditor'];

/** A signed-in console session as the page learns it (never the session id, never the token). */
export interface ConsoleSessionView {
  readonly role: Role;
  readonly subject: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

/** What a request authenticated by its session cookie carries besides its principal. */
export interface SessionContext {
  readonly idHash: Uint8Array;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard when the request was authenticated by the console session cookie. */
    consoleSession?: SessionContext;
  }
}

/**
 * The console's sessions (docs/console.md): sign-in validates a pasted API token exactly as the
 * bearer path does (same failure limit), then keeps a server-side session whose random id only the
 * browser's HttpOnly cookie holds (the database stores its SHA-256). A session authenticates as its
 * token, with the token's role; it ends at sign-out, after its lifetime, when idle too long, and
 * when its token is revoked (sessions are read through their token).
 */
@Injectable()
export class SessionAuthenticator {
  readonly #secureCookie: boolean;

  constructor(
    @Inject(ConsoleSessionRepository) private readonly sessions: ConsoleSessionRepository,
    @Inject(TokenAuthenticator) private readonly tokens: TokenAuthenticator,
    @Inject(ApiConfig) private readonly config: ApiConfig,
  ) {
    this.#secureCookie = config.tls !== null;
  }

  /**
   * Opens a session for `token`; returns the Set-Cookie value and the session's view.
   * @throws AppError AUTH_INVALID / AUTH_RATE_LIMITED (as the bearer path); CONSOLE_ROLE_NOT_ALLOWED for a station token.
   */
  async signIn(request: FastifyRequest, token: string): Promise<{ cookie: string; view: ConsoleSessionView }> {
    const principal = await this.tokens.authenticateToken(request, token);
    if (!CONSOLE_ROLES.includes(principal.role)) {
      throw new AppError('CONSOLE_ROLE_NOT_ALLOWED', `a '${principal.role}' token may not sign in to the console`);
    }
    const id = newSessionSecret();
    const csrfToken = newSessionSecret();
    const { lifetimeMs } = this.config.consoleSession;
    const expiresAt = new Date(Date.now() + lifetimeMs);
    await this.sessions.create({ idHash: hashSessionId(id), tokenId: principal.tokenId, csrfToken, expiresAt });
    request.log.info({ tokenId: principal.tokenId, role: principal.role }, 'console session opened');
    return {
      cookie: sessionCookie(id, Math.floor(lifetimeMs / 1000), this.#secureCookie),
      view: { role: principal.role, subject: principal.tokenName, csrfToken, expiresAt: expiresAt.toISOString() },
    };
  }

  /** True when the request carries a session cookie (and no bearer token: the header wins). */
  hasSessionCookie(request: FastifyRequest): boolean {
    return sessionIdOf(request) !== undefined;
  }

  /**
   * The principal of the request's session cookie; records the use (idle timeout). Sets
   * `request.consoleSession`.
   * @throws AppError CONSOLE_SESSION_INVALID (with a Set-Cookie that clears the cookie).
   */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const id = sessionIdOf(request);
    if (id === undefined || id === null) throw this.#invalid();
    const idHash = hashSessionId(id);
    const session = await this.sessions.findActive(idHash, this.config.consoleSession.idleTimeoutMs);
    if (session === undefined || !isRole(session.role)) throw this.#invalid();
    // The idle clock restarts at most every tenth of the timeout: not a write per request.
    if (Date.now() - session.lastSeenAt.getTime() > this.config.consoleSession.idleTimeoutMs / 10) {
      await this.sessions.touch(idHash);
    }
    request.consoleSession = { idHash, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
    return {
      tokenId: session.tokenId,
      tokenName: session.tokenName,
      role: session.role,
      stationId: session.stationId,
      stationLine: session.stationLine,
      stationSealingKey: session.stationSealingKey,
    };
  }

  /**
   * The view of the request's session.
   * @throws AppError CONSOLE_SESSION_REQUIRED for a bearer-authenticated request (it has no session)
   */
  view(request: FastifyRequest): ConsoleSessionView {
    const session = request.consoleSession;
    const principal = request.principal;
    if (session === undefined || principal === undefined) {
      throw new AppError(
        'CONSOLE_SESSION_REQUIRED',
        'this endpoint describes a console session: call it with the session cookie',
      );
    }
    return {
      role: principal.role,
      subject: principal.tokenName,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  /** Whether the session behind `idHash` is still live (the live-update stream asks this). */
  async isActive(idHash: Uint8Array): Promise<boolean> {
    return (await this.sessions.findActive(idHash, this.config.consoleSession.idleTimeoutMs)) !== undefined;
  }

  /**
   * CSRF: a state-changing request authenticated by the cookie must echo its session's token in
   * X-CSRF-Token (a cross-site page can send the cookie, never read the token).
   * @throws AppError CSRF_TOKEN_INVALID
   */
  checkCsrf(request: FastifyRequest): void {
    const session = request.consoleSession;
    if (session === undefined || SAFE_METHODS.has(request.method)) return;
    const sent = request.headers['x-csrf-token'];
    const expected = Buffer.from(session.csrfToken, 'utf8');
    const given = Buffer.from(typeof sent === 'string' ? sent : '', 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError(
        'CSRF_TOKEN_INVALID',
        'a state-changing request with the console session cookie needs the X-CSRF-Token header of its session',
      );
    }
  }

  /** Ends the request's session (sign-out); returns the Set-Cookie value that clears the cookie. */
  async signOut(request: FastifyRequest): Promise<string> {
    const id = sessionIdOf(request);
    if (typeof id === 'string') await this.sessions.delete(hashSessionId(id));
    return clearedSessionCookie(this.#secureCookie);
  }

  #invalid(): AppError {
    return new AppError(
      'CONSOLE_SESSION_INVALID',
      'the console session is not valid (expired, signed out or revoked)',
      {
        headers: { 'set-cookie': clearedSessionCookie(this.#secureCookie) },
      },
    );
  }
}

function isRole(role: string): role is Role {
  return (ROLES as readonly string[]).includes(role);
}
