import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import {
  AttestationDetail,
  AttestationList,
  AttestationSearchQuery,
  LeafIndex,
  VerificationBundleView,
} from './audit.schemas.js';
import { AuditService } from './audit.service.js';
import { BundleQuery } from './log-tiles.schemas.js';

@ApiTags('audit')
@Roles('auditor')
@Controller('v1/attestations')
export class AttestationsController {
  constructor(@Inject(AuditService) private readonly service: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Search logged attestations (every filter must match), in log order' })
  @ZodResponse(200, AttestationList)
  search(@ZodQuery(AttestationSearchQuery) query: AttestationSearchQuery): Promise<AttestationList> {
    return this.service.search(query);
  }

  @Get(':leafIndex')
  @ApiOperation({ summary: 'One attestation: envelope, decoded payload, inclusion proof and latest checkpoint' })
  @ZodResponse(200, AttestationDetail)
  @ApiProblem('ATTESTATION_NOT_FOUND')
  get(@ZodParam('leafIndex', LeafIndex) leafIndex: number): Promise<AttestationDetail> {
    return this.service.get(leafIndex);
  }

  @Get(':leafIndex/bundle')
  @ApiOperation({ summary: 'The verification bundle of one attestation, as `ingrain-verify` reads it' })
  @ZodResponse(200, VerificationBundleView)
  @ApiProblem('ATTESTATION_NOT_FOUND')
  @ApiProblem('CHECKPOINT_NOT_FOUND: no checkpoint was signed at the named treeSize')
  @ApiProblem('LEAF_NOT_IN_CHECKPOINT: the named checkpoint does not cover the leaf')
  bundle(
    @ZodParam('leafIndex', LeafIndex) leafIndex: number,
    @ZodQuery(BundleQuery) query: BundleQuery,
  ): Promise<VerificationBundleView> {
    return this.service.bundle(leafIndex, query.treeSize);
  }
}
