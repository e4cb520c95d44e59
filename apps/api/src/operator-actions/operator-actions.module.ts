import { Module } from '@nestjs/common';
import { OperatorActionsController } from './operator-actions.controller.js';
import { OperatorActionsService } from './operator-actions.service.js';

/** An operator's decisions (admin): `POST /v1/devices/{id}/release` and `/scrap`. */
@Module({
  controllers: [OperatorActionsController],
  providers: [OperatorActionsService],
  exports: [OperatorActionsService],
})
export class OperatorActionsModule {}
