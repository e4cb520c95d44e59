import { Module } from '@nestjs/common';
import { TokensController } from './tokens.controller.js';
import { TokensService } from './tokens.service.js';

/** `POST/GET/DELETE /v1/tokens` (admin). */
@Module({ controllers: [TokensController], providers: [TokensService], exports: [TokensService] })
export class TokensModule {}
