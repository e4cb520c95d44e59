import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.decorators.js';
import { TrustService } from './trust.service.js';

/**
 * `GET /v1/trust-root`: the trust root file, byte for byte what `ingrain-admin trust-root export`
 * writes for the same deployment (the text is made once, in TrustService). Save it as is and give
 * it to `ingrain-verify --trust-root`.
 */
@ApiTags('audit')
@Controller('v1/trust-root')
export class TrustRootController {
  constructor(@Inject(TrustService) private readonly trust: TrustService) {}

  @Get()
  @Roles('auditor', 'admin')
  @Header('cache-control', 'no-cache')
  @ApiOperation({
    summary:
      'The trust root (format ingrain.trust-root.v1, docs/verifier.md): attestation keys, device CA certificates, ' +
      'log origin and key, witness keys and threshold; save as is for `ingrain-verify --trust-root`',
  })
  @ApiOkResponse({
    description: 'The trust root file, exactly the bytes `ingrain-admin trust-root export` writes',
    content: { 'application/json': { schema: { type: 'object', description: 'ingrain.trust-root.v1' } } },
  })
  get(@Res({ passthrough: true }) reply: FastifyReply): string {
    void reply.type('application/json; charset=utf-8');
    return this.trust.trustRootJson;
  }
}
