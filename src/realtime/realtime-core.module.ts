import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RevocationBus, RevocationEvent } from '../token-blacklist/revocation-bus';
import { Backplane, InProcessBackplane } from './backplane/backplane';
import { ConnectionRegistry } from './connection-registry';
import { FanoutService } from './fanout.service';
import { InProcessPresenceStore, PresenceStore } from './presence-store';
import { PresenceService } from './presence.service';
import { REDIS_CLIENTS, RedisClients } from './redis/redis-clients';
import { TypingService } from './typing.service';
import { UserUpdatesService } from './user-updates.service';
import { InProcessWsRateLimiter, WsRateLimiter } from './ws-rate-limiter';
import { TokenBlacklistRepository } from '../token-blacklist/token-blacklist.repository';

/* eslint-disable @typescript-eslint/no-require-imports -- the Redis implementations (and ioredis) load only with REDIS_URL */

/** Opens and checks the Redis connections when REDIS_URL is set; null otherwise. */
async function createRedisClients(config: AppConfig): Promise<RedisClients | null> {
  if (!config.redisUrl) return null;
  const { openRedis, connectOrFail } = require('./redis/redis-connection') as typeof import('./redis/redis-connection');
  const instanceId = randomUUID();
  const cmd = openRedis(config.redisUrl, `chat-cmd-${instanceId}`);
  const sub = openRedis(config.redisUrl, `chat-sub-${instanceId}`);
  await connectOrFail(cmd, config.redisUrl);
  await connectOrFail(sub, config.redisUrl);
  for (const client of [cmd, sub]) client.on('error', (err: Error) => new Logger('Redis').warn(err.message));
  return { cmd, sub, instanceId };
}

/**
 * Starts what only exists with Redis (backplane subscription, presence heartbeat, revocation bridge)
 * and closes the connections last on shutdown.
 */
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Optional() @Inject(REDIS_CLIENTS) private readonly clients: RedisClients | null,
    private readonly backplane: Backplane,
    private readonly presenceStore: PresenceStore,
    private readonly revocations: RevocationBus,
    private readonly revocationRows: TokenBlacklistRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.clients) return;
    const { RedisBackplane } = require('./redis/redis-backplane') as typeof import('./redis/redis-backplane');
    const { RedisPresenceStore } = require('./redis/redis-presence-store') as typeof import('./redis/redis-presence-store');
    const { RevocationBridge } = require('./redis/revocation-bridge') as typeof import('./redis/revocation-bridge');
    if (this.backplane instanceof RedisBackplane) await this.backplane.start();
    if (this.presenceStore instanceof RedisPresenceStore) await this.presenceStore.start();
    const bridge = new RevocationBridge(this.revocations, this.clients.cmd, this.clients.sub, this.clients.instanceId, () => this.activeRevocations());
    await bridge.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.clients) return;
    const { RedisPresenceStore } = require('./redis/redis-presence-store') as typeof import('./redis/redis-presence-store');
    if (this.presenceStore instanceof RedisPresenceStore) await this.presenceStore.stop();
    this.clients.sub.disconnect();
    await this.clients.cmd.quit().catch(() => this.clients!.cmd.disconnect());
  }

  private async activeRevocations(): Promise<RevocationEvent[]> {
    const rows = await this.revocationRows.findActive();
    return rows.map((r) => ({ kind: r.kind, id: r.id, userId: r.userId, expiresAtMs: r.expiresAt.getTime() }));
  }
}

/**
 * Routing state and fan-out shared by the gateway and the domain services, with one implementation
 * per deployment shape: in-process for one instance, Redis-backed (backplane, presence, WebSocket rate
 * limit, revocations) when REDIS_URL is set. It depends on no domain module, so services can publish
 * events without a circular import.
 */
@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENTS, inject: [APP_CONFIG], useFactory: createRedisClients },
    {
      provide: Backplane,
      inject: [REDIS_CLIENTS],
      useFactory: (clients: RedisClients | null): Backplane => {
        if (!clients) return new InProcessBackplane();
        const { RedisBackplane } = require('./redis/redis-backplane') as typeof import('./redis/redis-backplane');
        return new RedisBackplane(clients.cmd, clients.sub);
      },
    },
    {
      provide: PresenceStore,
      inject: [REDIS_CLIENTS, ConnectionRegistry],
      useFactory: (clients: RedisClients | null, registry: ConnectionRegistry): PresenceStore => {
        if (!clients) return new InProcessPresenceStore();
        const { RedisPresenceStore } = require('./redis/redis-presence-store') as typeof import('./redis/redis-presence-store');
        return new RedisPresenceStore(clients.cmd, clients.instanceId, () => registry.connectedUsers());
      },
    },
    {
      provide: WsRateLimiter,
      inject: [REDIS_CLIENTS, APP_CONFIG],
      useFactory: (clients: RedisClients | null, config: AppConfig): WsRateLimiter => {
        if (!clients) return new InProcessWsRateLimiter(config);
        const { RedisWsRateLimiter } = require('./redis/redis-ws-rate-limiter') as typeof import('./redis/redis-ws-rate-limiter');
        return new RedisWsRateLimiter(clients.cmd, config);
      },
    },
    ConnectionRegistry,
    FanoutService,
    PresenceService,
    TypingService,
    UserUpdatesService,
    RedisLifecycle,
  ],
  exports: [REDIS_CLIENTS, Backplane, ConnectionRegistry, FanoutService, PresenceService, TypingService, UserUpdatesService, WsRateLimiter],
})
export class RealtimeCoreModule {}
