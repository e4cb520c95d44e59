import { Controller, Get, Inject, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import {
  CreatedStation,
  CreateStationRequest,
  SealingKeyRequest,
  StationId,
  StationList,
  StationView,
} from './stations.schemas.js';
import { PageQuery } from '../http/cursor.js';
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

  @Put(':id/sealing-key')
  @Roles('admin')
  @ApiOperation({
    operationId: 'stationsSetSealingKey',
    summary: "Register or replace a station's sealing public key (the key its claims are sealed to)",
  })
  @ZodResponse(200, StationView)
  @ApiProblem('STATION_NOT_FOUND')
  setSealingKey(
    @ZodParam('id', StationId) id: string,
    @ZodBody(SealingKeyRequest) body: SealingKeyRequest,
  ): Promise<StationView> {
    return this.service.setSealingKey(id, body.sealingPublicKey);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List stations, by id' })
  @ZodResponse(200, StationList)
  list(@ZodQuery(PageQuery) query: PageQuery): Promise<StationList> {
    return this.service.list(query);
  }

  @Get('me')
  @Roles('station')
  @ApiOperation({ summary: "The calling station token's station: a station checks its credentials at start" })
  @ZodResponse(200, StationView)
  me(@CurrentPrincipal() principal: Principal): Promise<StationView> {
    return this.service.me(principal);
  }
}
