import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminModule } from '../admin/admin.module';
import { LocalThrottlerStorage } from '../common/guards/local-throttler-storage';
import type { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { runMigrationsLocked } from '../database/migrations';
import { typeormOptions } from '../database/typeorm-options';
import { RealtimeCoreModule } from '../realtime/realtime-core.module';
import { TokenBlacklistModule } from '../token-blacklist/token-blacklist.module';

/** The services the maintenance commands use: the real ones, without HTTP, WebSocket or timers. */
@Module({})
class CliServicesModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliServicesModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => typeormOptions(config.databaseUrl!, { poolSize: 4, statementTimeoutMs: config.dbStatementTimeoutMs }),
          // Same as a server start: pending migrations first, under the advisory lock.
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrationsLocked(dataSource);
            return dataSource;
          },
        }),
        // The auth services take a throttler storage (for their own limits); commands never hit it.
        ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 1_000_000 }], storage: new LocalThrottlerStorage() }),
        DatabaseModule,
        TokenBlacklistModule,
        RealtimeCoreModule,
        AdminModule,
      ],
    };
  }
}

/** An application context of {@link CliServicesModule}; `config.databaseUrl` must be set. */
export function bootServices(config: AppConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(CliServicesModule.forRoot(config), { logger: ['error'], abortOnError: false });
}

/** A bare, initialised DataSource on `url` (migrations not applied). */
export function openDataSource(url: string): Promise<DataSource> {
  return new DataSource(typeormOptions(url, { poolSize: 2, statementTimeoutMs: 0 })).initialize();
}
