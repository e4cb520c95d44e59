import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { PublicKeysView } from './audit.schemas.js';
import { AuditService } from './audit.service.js';

@ApiTags('audit')
@Roles('auditor')
@Controller('v1/keys')
export class KeysController {
  constructor(@Inject(AuditService) private readonly service: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Attestation and log public keys, device CA certificate and log origin' })
  @ZodResponse(200, PublicKeysView)
  get(): PublicKeysView {
    return this.service.keys();
  }
}
