import { Module } from '@nestjs/common';
import { Database } from '../database/database.js';
import { StationRepository } from '../repositories/station-repository.js';
import { StationsController } from './stations.controller.js';
import { StationsService } from './stations.service.js';

/** `POST/GET /v1/stations` (admin); `GET /v1/stations/me` (station). */
@Module({
  controllers: [StationsController],
  providers: [
    StationsService,
    { provide: StationRepository, useFactory: (db: Database) => new StationRepository(db.kysely), inject: [Database] },
  ],
  exports: [StationsService],
})
export class StationsModule {}
