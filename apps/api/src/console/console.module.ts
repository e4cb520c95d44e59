import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ConsoleAssets } from './console-assets.js';
import { ConsoleSessionController } from './console-session.controller.js';

/** The web console (docs/console.md): its page and assets at `/`, its sign-in at `/console/session`. */
@Module({ imports: [AuthModule], controllers: [ConsoleSessionController], providers: [ConsoleAssets] })
export class ConsoleModule {}
