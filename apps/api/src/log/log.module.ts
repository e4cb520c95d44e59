import { Module } from '@nestjs/common';
import { LogService } from './log.service.js';

/**
 * The transparency log's writer, {@link LogService}: appends attestations and signs checkpoints
 * (the first one at start-up). Needs the global TrustModule for the log signing key.
 */
@Module({ providers: [LogService], exports: [LogService] })
export class LogModule {}
