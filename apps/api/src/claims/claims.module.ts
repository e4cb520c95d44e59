import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { BindingsController } from './bindings.controller.js';
import { ClaimsController } from './claims.controller.js';
import { ClaimsService } from './claims.service.js';
import { StationScope } from './station-scope.js';

/**
 * The station's claim: `POST /v1/devices/{id}/claim` binds a queued identity to a chip and hands
 * over its image (secrets re-derived now); `GET /v1/bindings/{chipUid}` finds a chip's device.
 * Exports StationScope: the line and holder checks every station action makes.
 */
@Module({
  imports: [CatalogueModule, IdentityModule],
  controllers: [ClaimsController, BindingsController],
  providers: [ClaimsService, StationScope],
  exports: [ClaimsService, StationScope],
})
export class ClaimsModule {}
