import { Module } from '@nestjs/common';
import { AttestationsController } from './attestations.controller.js';
import { AuditService } from './audit.service.js';
import { KeysController } from './keys.controller.js';
import { LogController } from './log.controller.js';

/**
 * The auditor's read-only endpoints: `/v1/attestations`, `/v1/log/checkpoint`,
 * `/v1/log/consistency`, `/v1/keys`. Needs TrustModule (global) for LogService and TrustService.
 */
@Module({
  controllers: [AttestationsController, LogController, KeysController],
  providers: [AuditService],
})
export class AuditModule {}
