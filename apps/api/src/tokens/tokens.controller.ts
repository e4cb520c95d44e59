import { Controller, Delete, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { CreatedToken, CreateTokenRequest, TokenId, TokenList } from './tokens.schemas.js';
import { PageQuery } from '../http/cursor.js';
import { TokensService } from './tokens.service.js';

@ApiTags('tokens')
@Roles('admin')
@Controller('v1/tokens')
export class TokensController {
  constructor(@Inject(TokensService) private readonly service: TokensService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API token (the secret is in this response only)' })
  @ZodResponse(201, CreatedToken)
  @ApiProblem('STATION_NOT_FOUND: the stationId of a station token is not registered')
  create(@ZodBody(CreateTokenRequest) body: CreateTokenRequest): Promise<CreatedToken> {
    return this.service.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List API tokens (never their secrets)' })
  @ZodResponse(200, TokenList)
  list(@ZodQuery(PageQuery) query: PageQuery): Promise<TokenList> {
    return this.service.list(query);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API token (final; revoking twice succeeds)' })
  @ZodResponse(204)
  @ApiProblem('TOKEN_NOT_FOUND')
  revoke(@ZodParam('id', TokenId) id: string): Promise<void> {
    return this.service.revoke(id);
  }
}
