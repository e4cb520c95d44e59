import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { AppModule, closeInfrastructure, openInfrastructure } from '../app.module.js';
import type { ApiConfig } from '../config/api-config.js';
import type { Database } from '../database/database.js';
import { Metrics } from '../metrics/metrics.js';
import { serveApiDocs } from '../openapi/api-docs.js';
import { correlationIdOf } from './correlation-id.js';
import { answerClientError, answerConnectRequest, answerFrameworkError } from './framework-errors.js';
import { createApiLogger, type LogDestination } from './logging.js';
import { NestPinoLogger } from './nest-logger.js';
import { installRequestHooks } from './request-hooks.js';
import { httpsServerOptions, type HttpsServerOptions } from './tls.js';

export interface CreateAppOptions {
  /** An open database to use instead of opening `config.database` (tests); the app will not close it. */
  readonly database?: Database;
  /** Where log lines go (default: stdout). */
  readonly logDestination?: LogDestination;
  /** More modules (tests add dummy controllers). */
  readonly extraModules?: ReadonlyArray<Type | DynamicModule>;
}

// A hop count means: trust the nearest `hops` proxies (what Fastify does with a number at run time).
function trustProxy(
  setting: ApiConfig['http']['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

function fastifyAdapter(
  config: ApiConfig,
  destination: LogDestination | undefined,
  https: HttpsServerOptions | null,
): FastifyAdapter {
  return new FastifyAdapter({
    ...(https === null ? {} : { https }),
    loggerInstance: createApiLogger(config, destination),
    genReqId: correlationIdOf,
    requestIdHeader: false,
    // One line per request, written by installRequestHooks (route template, duration, status).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'correlationId' }),
    trustProxy: trustProxy(config.http.trustProxy),
    bodyLimit: config.http.bodyLimitBytes,
    // Both answer as problem+json. frameworkErrors replaces Nest's default, which only adds the
    // headers of Nest's security hook (enableCors/enableSecurityHeaders: not used by this app).
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
}

/**
 * Builds and initializes the API (not listening: `main.ts` calls `listen`, tests use supertest
 * on `app.getHttpServer()`): opens the infrastructure, wires the modules, logs through pino,
 * serves `/docs`. Close it with `app.close()`, which closes what it opened.
 *
 * @throws the infrastructure's errors (DatabaseError, HsmError) or a wiring error; nothing stays open.
 */
export async function createApp(config: ApiConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // HTTPS files are read and checked before anything is opened (docs/tls.md).
  const https = config.tls === null ? null : httpsServerOptions(config.tls);
  const infrastructure = await openInfrastructure(config, options.database);
  let app: NestFastifyApplication | undefined;
  try {
    const module = AppModule.forRoot({ config, infrastructure, extraModules: options.extraModules ?? [] });
    app = await NestFactory.create<NestFastifyApplication>(
      module,
      fastifyAdapter(config, options.logDestination, https),
      {
        bufferLogs: true,
        abortOnError: false,
      },
    );
    const fastify = app.getHttpAdapter().getInstance();
    app.useLogger(new NestPinoLogger(fastify.log));
    installRequestHooks(fastify, app.get(Metrics));
    fastify.server.on('connect', answerConnectRequest);
    serveApiDocs(app);
    await app.init();
    // Routes and hooks are final only once Fastify is ready; supertest listens on the bare server.
    await fastify.ready();
    return app;
  } catch (error) {
    if (app === undefined) await closeInfrastructure(infrastructure);
    else await app.close().catch(() => closeInfrastructure(infrastructure));
    throw error;
  }
}
