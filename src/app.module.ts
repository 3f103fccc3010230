import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { createRootLogger, ROOT_LOGGER } from './common/logging/root-logger';
import { AdminModule } from './admin/admin.module';
import { ContentAdminModule } from './admin/content-admin.module';
import { AuthModule } from './auth/auth.module';
import { BlocksModule } from './blocks/blocks.module';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { rateLimitBucketOf } from './common/decorators/rate-limit.decorator';
import { createValidationPipe } from './common/errors/validation';
import { HttpExceptionFilter } from './common/filters/http-exception.filter';
import { AppThrottlerGuard, ipTracker } from './common/guards/throttler.guard';
import { LocalThrottlerStorage } from './common/guards/local-throttler-storage';
import { SharedThrottlerStorage } from './common/guards/throttler-storage';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { runMigrationsLocked } from './database/migrations';
import { typeormOptions } from './database/typeorm-options';
import { DataSource } from 'typeorm';
import { DmModule } from './dm/dm.module';
import { HealthModule } from './health/health.module';
import { MessagesModule } from './messages/messages.module';
import { MetricsModule } from './metrics/metrics.module';
import { PushModule } from './push/push.module';
import { ReportsModule } from './reports/reports.module';
import { RealtimeCoreModule } from './realtime/realtime-core.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RoomsModule } from './rooms/rooms.module';
import { TokenBlacklistModule } from './token-blacklist/token-blacklist.module';
import { DatabaseModule } from './database/database.module';
import { UploadsModule } from './uploads/uploads.module';
import { UsersModule } from './users/users.module';

/**
 * The application: global JWT guard (with `@Public()` opt-out), rate limits, validation pipe and
 * exception filter for HTTP, pino logging, TypeORM with migrations applied at start, and the domains.
 */
@Module({})
export class AppModule {
  /** Builds the module tree for a validated config whose databaseUrl is set. */
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.databaseUrl) throw new Error('AppModule needs config.databaseUrl (start the embedded database first)');
    const rootLogger = createRootLogger(config);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // nestjs-pino serves Nest's Logger; its per-request middleware is off (forRoutes: []) and
        // the access log comes from a Fastify hook instead (see registerAccessLog).
        LoggerModule.forRoot({ pinoHttp: { logger: rootLogger }, forRoutes: [] }),
        TypeOrmModule.forRootAsync({
          useFactory: () => typeormOptions(config.databaseUrl!, { poolSize: config.dbPoolSize, statementTimeoutMs: config.dbStatementTimeoutMs }),
          // Pending migrations are applied at start, under an advisory lock (replicas take turns).
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrationsLocked(dataSource);
            return dataSource;
          },
        }),
        ScheduleModule.forRoot(),
        ThrottlerModule.forRoot({
          throttlers: [
            // Register and login, per IP, instead of the default.
            { name: 'auth', ttl: 60_000, limit: config.rateLimitAuthPerMinute, skipIf: (ctx) => rateLimitBucketOf(ctx) !== 'auth' },
            // Password-checking routes of signed-in users: per IP on top of the per-user default.
            { name: 'hashing', ttl: 60_000, limit: config.rateLimitAuthPerMinute, getTracker: ipTracker, skipIf: (ctx) => rateLimitBucketOf(ctx) !== 'hashing' },
            // Refresh is limited per session by AuthService (it needs the session behind the token).
            {
              name: 'default',
              ttl: 60_000,
              limit: config.rateLimitPerMinute,
              skipIf: (ctx) => {
                const bucket = rateLimitBucketOf(ctx);
                return bucket === 'auth' || bucket === 'refresh';
              },
            },
          ],
          // Several instances share their counters through Redis; one instance keeps them in memory.
          storage: config.redisUrl ? new SharedThrottlerStorage(config.redisUrl) : new LocalThrottlerStorage(),
        }),
        DatabaseModule,
        TokenBlacklistModule,
        RealtimeCoreModule,
        UsersModule,
        AuthModule,
        AdminModule,
        RoomsModule,
        MessagesModule,
        ReportsModule,
        ContentAdminModule,
        BlocksModule,
        DmModule,
        UploadsModule,
        PushModule,
        RealtimeModule,
        HealthModule,
        MetricsModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: AppThrottlerGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: ROOT_LOGGER, useValue: rootLogger },
      ],
    };
  }
}
