// The station report body: its failure carries the domain's own code (docs/api-domain.md, "Error
// codes"), STATION_REPORT_INVALID, rather than the generic VALIDATION_FAILED of @ZodBody. It is
// still documented in the OpenAPI document like the zod decorators document theirs.
import { ApiBody } from '@nestjs/swagger';
import { modelRef } from '../http/api-models.js';
import { documented, RawBody } from '../http/documented-param.js';
import { StationReportModel } from './results.schemas.js';

/**
 * The raw body of a station report, documented as the `StationReport` model; the service parses it
 * with parseStationReport (STATION_REPORT_INVALID naming each field).
 */
export function StationReportBody(): ParameterDecorator {
  return documented(RawBody(), ApiBody({ required: true, schema: modelRef(StationReportModel, 'request') }));
}
