import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionAuthenticator } from '../auth/session-authenticator.js';
import { TokenRepository } from '../repositories/token-repository.js';
import { LineFeed, type LineSnapshot } from './line-feed.js';
import { CONSOLE_SECURITY_HEADERS } from './security-headers.js';

/** A comment line this often keeps proxies and the browser from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;
/** How often a stream checks that its session (or token) still lives. */
const CREDENTIAL_CHECK_MS = 2_000;

/**
 * The Server-Sent Events streams of `GET /v1/line/events`: each gets the current line snapshot,
 * then every change ({@link LineFeed}), keep-alive comments, and ends with event `end` when its
 * session ends (sign-out, expiry, the token revoked) or its bearer token is revoked.
 */
@Injectable()
export class LineEvents {
  constructor(
    @Inject(LineFeed) private readonly feed: LineFeed,
    @Inject(SessionAuthenticator) private readonly sessions: SessionAuthenticator,
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
  ) {}

  open(request: FastifyRequest, reply: FastifyReply): void {
    void reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...CONSOLE_SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(': ingrain line events\nretry: 2000\n\n');
    let closed = false;
    const send = (snapshot: LineSnapshot): void => {
      if (!closed) raw.write(`event: line\ndata: ${JSON.stringify(snapshot)}\n\n`);
    };
    const unsubscribe = this.feed.subscribe(send);
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const check = setInterval(() => {
      void this.#alive(request).then(
        (alive) => {
          if (!alive && !closed) {
            raw.write('event: end\ndata: {"reason":"credentials ended"}\n\n');
            finish();
          }
        },
        () => undefined,
      );
    }, CREDENTIAL_CHECK_MS);
    const finish = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(keepAlive);
      clearInterval(check);
      raw.end();
    };
    raw.on('close', finish);
    request.raw.on('close', finish);
  }

  /** Whether the stream's session (or bearer token) still authenticates. */
  async #alive(request: FastifyRequest): Promise<boolean> {
    const session = request.consoleSession;
    if (session !== undefined) return this.sessions.isActive(session.idHash);
    const tokenId = request.principal?.tokenId;
    if (tokenId === undefined) return false;
    const token = await this.tokens.get(tokenId);
    return token !== undefined && token.revokedAt === null;
  }
}
