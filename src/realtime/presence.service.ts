import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { Backplane } from './backplane/backplane';
import { ConnectionRegistry } from './connection-registry';
import { FanoutService } from './fanout.service';
import { PresenceStore } from './presence-store';
import { RoomsRepository } from '../rooms/rooms.repository';
import { UsersRepository } from '../users/users.repository';

/**
 * Presence: a user is online while at least one connection is open, on any instance. The first
 * connection sends `user_online` and the last one closing sends `user_offline` after
 * PRESENCE_GRACE_MS, to every online user who shares a room with them; a reconnect within the grace
 * period sends neither (a phone switching networks must not flicker). `last_seen_at` is stored on the
 * way offline.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  /** Users whose last local connection closed and whose grace period is running. */
  private readonly pendingOffline = new Map<string, { timer: NodeJS.Timeout; rooms: string[] }>();

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly fanout: FanoutService,
    private readonly store: PresenceStore,
    backplane: Backplane,
    private readonly rooms: RoomsRepository,
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    backplane.onEnvelope((envelope) => {
      if (envelope.kind === 'presence') store.remember(envelope.userId, envelope.online);
    });
    store.onReaped((userId) => void this.reap(userId));
  }

  /** True while the user has a live connection anywhere, or is within the grace period after the last one. */
  isOnline(userId: string): boolean {
    return this.registry.isConnected(userId) || this.pendingOffline.has(userId) || this.store.isOnlineElsewhere(userId);
  }

  /** Called when a user's first connection on this instance authenticated. */
  async connected(userId: string): Promise<void> {
    const pending = this.pendingOffline.get(userId);
    if (pending) {
      clearTimeout(pending.timer);
      this.pendingOffline.delete(userId);
    }
    try {
      if (await this.store.markConnected(userId)) this.announce(userId, true, this.registry.roomsOf(userId));
    } catch (err) {
      this.logger.warn(`presence store unavailable: ${(err as Error).message}`);
    }
  }

  /**
   * Called when a user's last connection on this instance closed; `rooms` are the rooms they were
   * routed to, captured before the routing entry was dropped.
   */
  disconnected(userId: string, rooms: Iterable<string>): void {
    const roomList = [...rooms];
    this.store.markDisconnected(userId).catch((err) => this.logger.warn(`presence store unavailable: ${(err as Error).message}`));
    const timer = setTimeout(() => void this.goOffline(userId, roomList), this.config.presenceGraceMs);
    timer.unref();
    this.pendingOffline.set(userId, { timer, rooms: roomList });
  }

  /** Runs every pending grace period to its end now (shutdown). */
  async flush(): Promise<void> {
    const pending = [...this.pendingOffline.entries()];
    await Promise.all(
      pending.map(([userId, p]) => {
        clearTimeout(p.timer);
        return this.goOffline(userId, p.rooms);
      }),
    );
  }

  onModuleDestroy(): void {
    for (const p of this.pendingOffline.values()) clearTimeout(p.timer);
    this.pendingOffline.clear();
  }

  private async goOffline(userId: string, rooms: string[]): Promise<void> {
    if (!this.pendingOffline.has(userId)) return;
    this.pendingOffline.delete(userId);
    if (this.registry.isConnected(userId)) return;
    try {
      if (await this.store.tryMarkOffline(userId)) await this.wentOffline(userId, rooms);
    } catch (err) {
      this.logger.warn(`presence store unavailable: ${(err as Error).message}`);
    }
  }

  /** A user whose instance died: their rooms come from the database, since no instance routes them. */
  private async reap(userId: string): Promise<void> {
    try {
      await this.wentOffline(userId, await this.rooms.roomIdsOfUser(userId));
    } catch (err) {
      this.logger.warn(`reaping presence of ${userId} failed: ${(err as Error).message}`);
    }
  }

  private async wentOffline(userId: string, rooms: string[]): Promise<void> {
    const lastSeen = new Date();
    await this.users.touchLastSeen(userId, lastSeen).catch((err: Error) => {
      this.logger.warn(`storing last_seen_at failed: ${err.message}`);
    });
    this.announce(userId, false, rooms, lastSeen);
  }

  private announce(userId: string, online: boolean, rooms: Iterable<string>, lastSeen?: Date): void {
    this.fanout.publishPresence(userId, online);
    if (online) this.fanout.toRoomsOnce(rooms, 'user_online', { user_id: userId }, userId);
    else this.fanout.toRoomsOnce(rooms, 'user_offline', { user_id: userId, last_seen_at: (lastSeen ?? new Date()).toISOString() }, userId);
  }
}
