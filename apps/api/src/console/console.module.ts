import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ConsoleAssets } from './console-assets.js';
import { ConsoleSessionController } from './console-session.controller.js';
import { LineEventsController } from './line-events.controller.js';
import { LineEvents } from './line-events.js';
import { LineFeed } from './line-feed.js';
import { StationsModule } from '../stations/stations.module.js';

/** The web console (docs/console.md): its page and assets at `/`, its sign-in at `/console/session`, the live line at `/v1/line/events`. */
@Module({
  imports: [AuthModule, StationsModule],
  controllers: [ConsoleSessionController, LineEventsController],
  providers: [ConsoleAssets, LineEvents, LineFeed],
})
export class ConsoleModule {}
