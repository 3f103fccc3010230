import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RevocationBus } from './revocation-bus';
import { REVOCATION_NOTIFY_CHANNEL, TokenBlacklistRepository } from './token-blacklist.repository';

export { notifyRevocations, REVOCATION_NOTIFY_CHANNEL } from './token-blacklist.repository';

/** Wait before reconnecting a lost LISTEN connection, in ms. */
const RECONNECT_DELAY_MS = 1000;

/**
 * LISTENs on {@link REVOCATION_NOTIFY_CHANNEL} over one dedicated connection and replays the user's
 * active revocations from PostgreSQL (the source of truth) onto this instance's {@link RevocationBus}:
 * the in-memory blacklist refuses the tokens and the gateway closes the sockets (4401), within a
 * round trip of the commit, on every instance, with or without Redis. After a lost connection it
 * reconnects and replays every active revocation, as the Redis bridge does.
 */
@Injectable()
export class PgRevocationListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgRevocationListener.name);
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly revocations: TokenBlacklistRepository,
    private readonly bus: RevocationBus,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.databaseUrl) return;
    await this.connect(false);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(replayAll: boolean): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'chat-server revocations' });
    client.on('notification', (msg) => {
      if (msg.channel !== REVOCATION_NOTIFY_CHANNEL || !msg.payload) return;
      try {
        const { user_id: userId } = JSON.parse(msg.payload) as { user_id?: unknown };
        if (typeof userId === 'string') void this.replay(userId);
      } catch {
        this.logger.warn('dropped a malformed revocation notification');
      }
    });
    client.on('error', (err) => {
      this.logger.warn(`revocation listener connection lost: ${err.message}`);
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_NOTIFY_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      if (!replayAll) throw err;
      this.logger.warn(`revocation listener cannot reconnect yet: ${(err as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    if (replayAll) await this.replay(null);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    const old = this.client;
    this.client = undefined;
    void old?.end().catch(() => undefined);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) void this.connect(true);
    }, RECONNECT_DELAY_MS);
    this.retry.unref();
  }

  /** Publishes the active revocations of one user (or of everyone) on the local bus only. */
  private async replay(userId: string | null): Promise<void> {
    try {
      for (const r of await this.revocations.findActive(userId)) this.bus.publish({ kind: r.kind, id: r.id, userId: r.userId, expiresAtMs: r.expiresAt.getTime() });
    } catch (err) {
      this.logger.warn(`revocation replay failed: ${(err as Error).message}`);
    }
  }
}
