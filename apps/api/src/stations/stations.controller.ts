import { Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { CreatedStation, CreateStationRequest, StationList, StationView } from './stations.schemas.js';
import { StationsService } from './stations.service.js';

@ApiTags('stations')
@Controller('v1/stations')
export class StationsController {
  constructor(@Inject(StationsService) private readonly service: StationsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register a station; returns it with its station token (shown once)' })
  @ZodResponse(201, CreatedStation)
  @ApiProblem('STATION_EXISTS: the id is taken')
  create(@ZodBody(CreateStationRequest) body: CreateStationRequest): Promise<CreatedStation> {
    return this.service.create(body);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List stations, by id' })
  @ZodResponse(200, StationList)
  list(): Promise<StationList> {
    return this.service.list();
  }

  @Get('me')
  @Roles('station')
  @ApiOperation({ summary: "The calling station token's station: a station checks its credentials at start" })
  @ZodResponse(200, StationView)
  me(@CurrentPrincipal() principal: Principal): Promise<StationView> {
    return this.service.me(principal);
  }
}
