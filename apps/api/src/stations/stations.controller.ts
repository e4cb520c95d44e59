import { Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { CreatedStation, CreateStationRequest, StationList } from './stations.schemas.js';
import { StationsService } from './stations.service.js';

@ApiTags('stations')
@Roles('admin')
@Controller('v1/stations')
export class StationsController {
  constructor(@Inject(StationsService) private readonly service: StationsService) {}

  @Post()
  @ApiOperation({ summary: 'Register a station; returns it with its station token (shown once)' })
  @ZodResponse(201, CreatedStation)
  @ApiProblem('STATION_EXISTS: the id is taken')
  create(@ZodBody(CreateStationRequest) body: CreateStationRequest): Promise<CreatedStation> {
    return this.service.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List stations, by id' })
  @ZodResponse(200, StationList)
  list(): Promise<StationList> {
    return this.service.list();
  }
}
