import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { ClaimsModule } from '../claims/claims.module.js';
import { LogModule } from '../log/log.module.js';
import { ResultsController } from './results.controller.js';
import { ResultsService } from './results.service.js';

/**
 * The station's result: `POST /v1/devices/{id}/result` judges the report against the intended
 * image, then attests and logs a provisioned device (global trust material and transparency log).
 * Only from the station that holds the device, on its line (ClaimsModule's StationScope).
 */
@Module({
  imports: [CatalogueModule, ClaimsModule, LogModule],
  controllers: [ResultsController],
  providers: [ResultsService],
  exports: [ResultsService],
})
export class ResultsModule {}
