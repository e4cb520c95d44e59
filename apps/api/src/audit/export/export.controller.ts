import { Readable } from 'node:stream';
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../../auth/auth.decorators.js';
import { ZodQuery } from '../../http/zod-params.decorator.js';
import { AttestationExporter } from './attestation-export.js';
import { ExportQuery } from './export.schemas.js';

const MEDIA_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

/** `GET /v1/attestations/export`: bundles (JSON Lines) or a CSV summary, streamed. Auditors only. */
@ApiTags('audit')
@Roles('auditor')
@Controller('v1/attestations/export')
export class ExportController {
  constructor(@Inject(AttestationExporter) private readonly exporter: AttestationExporter) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary:
      "Bulk export of a work order's or a time range's attestations, in log order: verification bundles " +
      '(format=jsonl, one per line, as ingrain-verify reads a .jsonl file) or a CSV summary (format=csv)',
  })
  @ApiOkResponse({
    description: 'Streamed; JSON Lines or RFC 4180 CSV with a header row (docs/api.md "Bulk export")',
    content: {
      'application/x-ndjson': { schema: { type: 'string' } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  export(@ZodQuery(ExportQuery) query: ExportQuery, @Res({ passthrough: true }) reply: FastifyReply): Readable {
    const name = `attestations.${query.format}`;
    void reply.type(MEDIA_TYPES[query.format]).header('content-disposition', `attachment; filename="${name}"`);
    return Readable.from(this.exporter.chunks(query), { objectMode: false });
  }
}
