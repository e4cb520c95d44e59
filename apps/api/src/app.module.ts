import { redisSentinelOptions } from '#ingrain/contracts';
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { Hsm } from '#ingrain/crypto';
import { Redis } from 'ioredis';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CatalogueModule } from './catalogue/catalogue.module.js';
import { ClaimsModule } from './claims/claims.module.js';
import { ConsoleModule } from './console/console.module.js';
import { ApiConfig } from './config/api-config.js';
import { Database } from './database/database.js';
import { DeviceRequestsModule } from './device-requests/device-requests.module.js';
import { HealthRegistry } from './health/health-registry.js';
import { HealthModule } from './health/health.module.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';
import { ResponseSerializerInterceptor } from './http/response-serializer.interceptor.js';
import { IdentityModule } from './identity/identity.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { LogModule } from './log/log.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OperatorActionsModule } from './operator-actions/operator-actions.module.js';
import { QuarantineModule } from './quarantine/quarantine.module.js';
import { RepositoriesModule } from './repositories/repositories.module.js';
import { QueueModule } from './queue/queue.module.js';
import { ResultsModule } from './results/results.module.js';
import { StationsModule } from './stations/stations.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { TrustModule } from './trust/trust.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WitnessingModule } from './witnessing/witnessing.module.js';
import { WorkOrdersModule } from './work-orders/work-orders.module.js';

// ─── Feature modules ────────────────────────────────────────────────────────────────────────────
// Along the data path: trust material, then what the MES sets up (catalogue, stations, work
// orders), then a device's hops: request, identity, job, claim, result (judgement, attestation),
// log, the auditor's reads (bundles), and the operator's release and scrap. Trust is global:
// the others inject it. They may also inject ApiConfig, Redis, Hsm, HealthRegistry, Metrics, the
// repositories and Transactions (all global).
export const FEATURE_MODULES: ReadonlyArray<Type | DynamicModule> = [
  TrustModule,
  CatalogueModule,
  StationsModule,
  WorkOrdersModule,
  DeviceRequestsModule,
  IdentityModule,
  JobsModule,
  ClaimsModule,
  ResultsModule,
  LogModule,
  AuditModule,
  WitnessingModule,
  OperatorActionsModule,
  WebhooksModule,
  QuarantineModule,
  ConsoleModule,
  QueueModule,
];
// ────────────────────────────────────────────────────────────────────────────────────────────────

/** The outside systems of the API, opened before Nest starts (see `createApp`). */
export interface Infrastructure {
  readonly database: Database;
  readonly hsm: Hsm;
  readonly redis: Redis;
  /** Whether the app closes the database at shutdown (false when a test lends its own). */
  readonly ownsDatabase: boolean;
}

export interface AppModuleOptions {
  /** Undefined (with `infrastructure`) only for the OpenAPI document, built in preview mode. */
  readonly config: ApiConfig | undefined;
  readonly infrastructure: Infrastructure | undefined;
  /** More modules (tests add dummy controllers). */
  readonly extraModules?: ReadonlyArray<Type | DynamicModule>;
}

const INFRASTRUCTURE = Symbol('Infrastructure');

/** Registers the readiness checks of the outside systems and closes them last at shutdown. */
@Injectable()
class InfrastructureLifecycle implements OnModuleInit, OnApplicationShutdown {
  readonly #logger = new Logger('Infrastructure');

  constructor(
    @Inject(INFRASTRUCTURE) private readonly infrastructure: Infrastructure,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    const { database, hsm, redis } = this.infrastructure;
    this.health.register('database', () => database.ping());
    this.health.register('redis', () => redis.ping());
    this.health.register('hsm', () => hsm.randomBytes(1));
    // One warning per outage, not one per reconnection attempt.
    let reported = false;
    redis.on('ready', () => (reported = false));
    redis.on('error', (error: Error) => {
      if (!reported) this.#logger.warn(`Redis unavailable (${error.message}); reconnecting`);
      reported = true;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeInfrastructure(this.infrastructure);
  }
}

/** Closes what {@link openInfrastructure} opened (the lent database excepted); never throws. */
export async function closeInfrastructure({ database, hsm, redis, ownsDatabase }: Infrastructure): Promise<void> {
  await Promise.allSettled([
    redis.status === 'ready' ? redis.quit() : Promise.resolve(redis.disconnect()),
    hsm.close(),
    ownsDatabase ? database.close() : Promise.resolve(),
  ]);
}

/**
 * Opens the database (running migrations) unless one is lent, the HSM (with its capability
 * probe), and a Redis client (connecting in the background: readiness reports it). Nothing stays
 * open when it throws.
 */
export async function openInfrastructure(config: ApiConfig, lentDatabase?: Database): Promise<Infrastructure> {
  const database = lentDatabase ?? (await Database.open(config.database));
  let hsm: Hsm;
  try {
    hsm = await Hsm.open(config.hsm);
  } catch (error) {
    if (lentDatabase === undefined) await database.close().catch(() => undefined);
    throw error;
  }
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 3,
    connectionName: 'ingrain-api',
    ...redisSentinelOptions(config.redisSentinel),
  });
  return { database, hsm, redis, ownsDatabase: lentDatabase === undefined };
}

@Global()
@Module({})
class InfrastructureModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const infrastructure = options.infrastructure;
    return {
      module: InfrastructureModule,
      providers: [
        { provide: ApiConfig, useValue: options.config },
        { provide: INFRASTRUCTURE, useValue: infrastructure },
        { provide: Database, useValue: infrastructure?.database },
        { provide: Hsm, useValue: infrastructure?.hsm },
        { provide: Redis, useValue: infrastructure?.redis },
        InfrastructureLifecycle,
      ],
      exports: [ApiConfig, Database, Hsm, Redis],
    };
  }
}

/** The API: infrastructure, HTTP backbone (problems, auth, metrics, health), tokens, then the features. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(options),
        RepositoriesModule,
        MetricsModule,
        HealthModule,
        AuthModule,
        TokensModule,
        ...FEATURE_MODULES,
        ...(options.extraModules ?? []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: ResponseSerializerInterceptor },
      ],
    };
  }
}
