import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CryptoError, parseTilePath, type TileCoordinates } from '#ingrain/crypto';
import { PublicWhenLogPublic, Roles } from '../auth/auth.decorators.js';
import { AppError } from '../errors/app-error.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { LogReader } from './log-reader.js';

/** Full and partial tiles never change once served: cache them for a year (c2sp.org/tlog-tiles). */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The transparency log as c2sp.org/tlog-tiles under `/v1/log/tiles/`: `checkpoint`, hash tiles
 * `tile/<L>/<N>[.p/<W>]`, entry bundles `tile/entries/<N>[.p/<W>]` (each entry an attestation
 * envelope's normal-form text, the log leaf). Auditors only, or anyone when INGRAIN_LOG_PUBLIC=true.
 */
@ApiTags('audit')
@Roles('auditor')
@PublicWhenLogPublic()
@Controller('v1/log/tiles')
export class LogTilesController {
  constructor(@Inject(LogReader) private readonly reader: LogReader) {}

  @Get('checkpoint')
  @ApiOperation({ summary: 'The latest checkpoint as a signed note (text), the tree the tiles are served for' })
  @ApiOkResponse({ description: 'C2SP signed note', content: { 'text/plain': { schema: { type: 'string' } } } })
  async checkpoint(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { note } = await this.reader.publishedCheckpoint();
    void reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache');
    return note;
  }

  @Get('tile/*')
  @ApiOperation({
    summary:
      'A hash tile `tile/<L>/<N>[.p/<W>]` or entry bundle `tile/entries/<N>[.p/<W>]` (c2sp.org/tlog-tiles), immutable once served',
  })
  @ApiOkResponse({
    description: 'Hash tile: 32-byte hashes; entry bundle: big-endian uint16 length + entry, repeated',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblem('LOG_TILE_NOT_FOUND: not a tile path, or beyond the latest checkpoint')
  async tile(@Param('*') path: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const coordinates = parseTile(`tile/${path}`);
    const bytes = await this.reader.tile(coordinates);
    if (bytes === undefined) {
      throw new AppError('LOG_TILE_NOT_FOUND', 'the latest checkpoint does not reach this tile at this width');
    }
    void reply.type('application/octet-stream').header('cache-control', IMMUTABLE);
    return Buffer.from(bytes);
  }
}

function parseTile(path: string): TileCoordinates {
  try {
    return parseTilePath(path);
  } catch (error) {
    if (error instanceof CryptoError) throw new AppError('LOG_TILE_NOT_FOUND', error.message, { cause: error });
    throw error;
  }
}
