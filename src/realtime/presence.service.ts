import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ConnectionRegistry } from './connection-registry';
import { encodeFrame } from './events';

/**
 * Presence: a user is online while at least one connection is open. The first connection sends
 * `user_online` and the last one closing sends `user_offline` after PRESENCE_GRACE_MS, to every online
 * user who shares a room with them; a reconnect within the grace period sends neither (a phone
 * switching networks must not flicker). `last_seen_at` is stored on the way offline.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  /** Users whose last connection closed and whose offline notice is pending. */
  private readonly pendingOffline = new Map<string, { timer: NodeJS.Timeout; rooms: string[] }>();

  constructor(
    private readonly registry: ConnectionRegistry,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** True while the user has a live connection, or is within the grace period after the last one. */
  isOnline(userId: string): boolean {
    return this.registry.isConnected(userId) || this.pendingOffline.has(userId);
  }

  /** Called when a user's first connection on this instance authenticated. */
  connected(userId: string): void {
    const pending = this.pendingOffline.get(userId);
    if (pending) {
      clearTimeout(pending.timer);
      this.pendingOffline.delete(userId);
      return;
    }
    this.notifyCoMembers(userId, this.registry.roomsOf(userId), encodeFrame('user_online', { user_id: userId }));
  }

  /**
   * Called when a user's last connection closed; `rooms` are the rooms they were routed to, captured
   * before the routing entry was dropped.
   */
  disconnected(userId: string, rooms: Iterable<string>): void {
    const roomList = [...rooms];
    const timer = setTimeout(() => void this.goOffline(userId, roomList), this.config.presenceGraceMs);
    timer.unref();
    this.pendingOffline.set(userId, { timer, rooms: roomList });
  }

  /** Sends every pending offline notice now (shutdown). */
  async flush(): Promise<void> {
    const pending = [...this.pendingOffline.entries()];
    await Promise.all(pending.map(([userId, p]) => (clearTimeout(p.timer), this.goOffline(userId, p.rooms))));
  }

  onModuleDestroy(): void {
    for (const p of this.pendingOffline.values()) clearTimeout(p.timer);
    this.pendingOffline.clear();
  }

  private async goOffline(userId: string, rooms: string[]): Promise<void> {
    if (!this.pendingOffline.has(userId)) return;
    this.pendingOffline.delete(userId);
    const lastSeen = new Date();
    this.notifyCoMembers(userId, rooms, encodeFrame('user_offline', { user_id: userId, last_seen_at: lastSeen.toISOString() }));
    try {
      await this.db.query(`UPDATE users SET last_seen_at = $2 WHERE id = $1`, [userId, lastSeen]);
    } catch (err) {
      this.logger.warn(`storing last_seen_at failed: ${(err as Error).message}`);
    }
  }

  /** Sends a frame once to every online user (other than `userId`) sharing one of `rooms`. */
  private notifyCoMembers(userId: string, rooms: Iterable<string>, data: string): void {
    const recipients = new Set<string>();
    for (const roomId of rooms) for (const member of this.registry.onlineMembersOf(roomId)) if (member !== userId) recipients.add(member);
    for (const member of recipients) for (const socket of this.registry.connectionsOf(member)) this.registry.send(socket, data);
  }
}
