import { Module } from '@nestjs/common';
import { WitnessClient } from './witness-client.js';
import { WitnessLogView } from './witness-log-view.js';
import { WitnessingController } from './witnessing.controller.js';
import { WitnessingService } from './witnessing.service.js';

/**
 * Witnessing (docs/witness.md): collects cosignatures on the log's checkpoints from the witnesses
 * of INGRAIN_WITNESS_URLS / INGRAIN_WITNESS_KEYS and serves `GET /v1/log/witnessed-checkpoint`.
 * Reads the log through its store only (TrustModule is global); independent of the log writer.
 */
@Module({
  controllers: [WitnessingController],
  providers: [WitnessingService, WitnessClient, WitnessLogView],
})
export class WitnessingModule {}
