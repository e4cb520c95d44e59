import { Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, Roles } from '../auth/auth.decorators.js';
import { SessionAuthenticator } from '../auth/session-authenticator.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { ConsoleSession, SignInRequest } from './console.schemas.js';

/** The console's sign-in, session and sign-out (docs/console.md). */
@ApiTags('console')
@Controller('console/session')
export class ConsoleSessionController {
  constructor(@Inject(SessionAuthenticator) private readonly sessions: SessionAuthenticator) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in to the console with an API token: sets the HttpOnly session cookie' })
  @ZodResponse(200, ConsoleSession)
  @ApiProblem('AUTH_INVALID: an unknown, revoked or malformed token')
  @ApiProblem('AUTH_RATE_LIMITED: too many authentication failures from this address (see Retry-After)')
  @ApiProblem('CONSOLE_ROLE_NOT_ALLOWED: a station token')
  async signIn(
    @ZodBody(SignInRequest) body: SignInRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleSession> {
    const { cookie, view } = await this.sessions.signIn(request, body.token);
    void reply.header('set-cookie', cookie);
    return view;
  }

  @Get()
  @Roles('admin', 'mes', 'auditor')
  @ApiOperation({ summary: "The signed-in console session: role, subject and the session's CSRF token" })
  @ZodResponse(200, ConsoleSession)
  @ApiProblem('CONSOLE_SESSION_INVALID: no live session behind the cookie')
  @ApiProblem('CONSOLE_SESSION_REQUIRED: called with a bearer token, which has no session')
  current(@Req() request: FastifyRequest): ConsoleSession {
    return this.sessions.view(request);
  }

  @Delete()
  @Roles('admin', 'mes', 'auditor')
  @ApiOperation({
    summary: 'Sign out of the console: ends the session and clears its cookie (with a bearer token: nothing to end)',
  })
  @ZodResponse(204)
  @ApiProblem('CONSOLE_SESSION_INVALID: no live session behind the cookie')
  @ApiProblem("CSRF_TOKEN_INVALID: X-CSRF-Token missing or not the session's")
  async signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    void reply.header('set-cookie', await this.sessions.signOut(request));
  }
}
