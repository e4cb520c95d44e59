import { Controller, Get, HttpCode, Inject, Post, Put } from '@nestjs/common';
import type { StationHeartbeat } from '#ingrain/contracts';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import {
  CreatedStation,
  CreateStationRequest,
  HeartbeatAck,
  SealingKeyRequest,
  StationHeartbeatModel,
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
  @ApiOperation({ summary: 'List stations, by id, with their status (online/offline), version and fixtures' })
  @ZodResponse(200, StationList)
  list(@ZodQuery(PageQuery) query: PageQuery): Promise<StationList> {
    return this.service.list(query);
  }

  @Post('me/heartbeat')
  @HttpCode(200)
  @Roles('station')
  @ApiOperation({
    operationId: 'stationsHeartbeat',
    summary: "The calling station's state: its version and each fixture's state and last cycle times",
  })
  @ZodResponse(200, HeartbeatAck)
  heartbeat(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(StationHeartbeatModel) body: StationHeartbeat,
  ): Promise<HeartbeatAck> {
    return this.service.heartbeat(principal, body);
  }

  @Get('me')
  @Roles('station')
  @ApiOperation({ summary: "The calling station token's station: a station checks its credentials at start" })
  @ZodResponse(200, StationView)
  me(@CurrentPrincipal() principal: Principal): Promise<StationView> {
    return this.service.me(principal);
  }
}
