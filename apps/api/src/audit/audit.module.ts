import { Module } from '@nestjs/common';
import { LogModule } from '../log/log.module.js';
import { AttestationsController } from './attestations.controller.js';
import { AuditService } from './audit.service.js';
import { AttestationExporter } from './export/attestation-export.js';
import { ExportController } from './export/export.controller.js';
import { KeysController } from './keys.controller.js';
import { LogReader } from './log-reader.js';
import { LogController } from './log.controller.js';
import { LogTilesController } from './log-tiles.controller.js';

/**
 * The auditor's read-only endpoints: `/v1/attestations`, `/v1/log/checkpoint`,
 * `/v1/log/consistency`, `/v1/keys`, and the bundle assembly behind them ({@link LogReader}).
 * Needs TrustModule (global) for TrustService and LogModule for the writer's first checkpoint.
 */
@Module({
  imports: [LogModule],
  controllers: [ExportController, AttestationsController, LogController, LogTilesController, KeysController],
  providers: [AuditService, LogReader, AttestationExporter],
})
export class AuditModule {}
