import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { LineController } from './line.controller.js';
import { LineService } from './line.service.js';
import { StationMetrics } from './station-metrics.js';
import { StationsController } from './stations.controller.js';
import { StationsService } from './stations.service.js';

/**
 * `POST/GET /v1/stations` (admin); `GET /v1/stations/me` and `POST /v1/stations/me/heartbeat`
 * (station); `GET /v1/line` (admin, auditor, mes).
 */
@Module({
  imports: [AuthModule], // PrincipalCache
  controllers: [StationsController, LineController],
  providers: [StationsService, LineService, StationMetrics],
  exports: [StationsService, LineService],
})
export class StationsModule {}
