import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PresenceStore } from '../presence-store';

/** An instance's heartbeat key lives this long without a refresh, in ms. */
export const INSTANCE_TTL_MS = 15_000;
/** Heartbeat refresh and dead-instance scan interval, in ms (a dead instance is reaped within ~20 s). */
export const HEARTBEAT_MS = 5_000;

const K = {
  instances: 'presence:instances',
  alive: (id: string) => `presence:alive:${id}`,
  instanceUsers: (id: string) => `presence:instance-users:${id}`,
  user: (userId: string) => `presence:user:${userId}`,
  online: (userId: string) => `presence:online:${userId}`,
  reapLock: (id: string) => `presence:reap-lock:${id}`,
};

/**
 * Presence over every instance, in Redis: per user a hash of connection counts by instance, a
 * "declared online" flag (so a reconnect on another instance during the grace period announces
 * nothing), and per instance a heartbeat key with a TTL. Instances scan for dead peers and reap their
 * users, so a crashed instance's users go offline within ~20 s. Everything here is derived state:
 * losing it loses no data.
 */
export class RedisPresenceStore extends PresenceStore {
  private readonly logger = new Logger(RedisPresenceStore.name);
  private readonly onlineElsewhere = new Set<string>();
  private reapedHandler: ((userId: string) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
    /** Users with a live connection on this instance (re-registered after a Redis outage). */
    private readonly localUsers: () => Iterable<string>,
  ) {
    super();
  }

  /** Registers this instance, loads who is online, and starts heartbeat + reaper. */
  async start(): Promise<void> {
    await this.heartbeat();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', 'presence:online:*', 'COUNT', 500);
      cursor = next;
      for (const key of keys) this.onlineElsewhere.add(key.slice('presence:online:'.length));
    } while (cursor !== '0');
    this.timer = setInterval(() => void this.tick(), HEARTBEAT_MS);
    this.timer.unref();
    // After an outage our heartbeat may have expired and peers may have reaped our users: re-register.
    this.redis.on('ready', () => void this.reregister());
  }

  /** Stops the heartbeat and removes this instance's traces (graceful shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.redis.status !== 'ready') return;
    await this.redis.del(K.alive(this.instanceId)).catch(() => undefined);
  }

  async markConnected(userId: string): Promise<boolean> {
    const results = await this.redis
      .multi()
      .hincrby(K.user(userId), this.instanceId, 1)
      .sadd(K.instanceUsers(this.instanceId), userId)
      .set(K.online(userId), '1', 'NX')
      .exec();
    return results?.[2]?.[1] === 'OK';
  }

  async markDisconnected(userId: string): Promise<void> {
    await this.redis.multi().hdel(K.user(userId), this.instanceId).srem(K.instanceUsers(this.instanceId), userId).exec();
  }

  async tryMarkOffline(userId: string): Promise<boolean> {
    if ((await this.liveConnections(userId)) > 0) return false;
    return (await this.redis.del(K.online(userId))) === 1;
  }

  isOnlineElsewhere(userId: string): boolean {
    return this.onlineElsewhere.has(userId);
  }

  override remember(userId: string, online: boolean): void {
    if (online) this.onlineElsewhere.add(userId);
    else this.onlineElsewhere.delete(userId);
  }

  override onReaped(handler: (userId: string) => void): void {
    this.reapedHandler = handler;
  }

  /** Connections of the user on instances that are still alive. */
  private async liveConnections(userId: string): Promise<number> {
    const counts = await this.redis.hgetall(K.user(userId));
    const instances = Object.keys(counts).filter((id) => Number(counts[id]) > 0);
    if (instances.length === 0) return 0;
    const alive = await this.redis.mget(...instances.map((id) => K.alive(id)));
    return instances.reduce((sum, id, i) => sum + (id === this.instanceId || alive[i] ? Number(counts[id]) : 0), 0);
  }

  private async heartbeat(): Promise<void> {
    await this.redis.multi().set(K.alive(this.instanceId), '1', 'PX', INSTANCE_TTL_MS).sadd(K.instances, this.instanceId).exec();
  }

  private async tick(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    try {
      await this.heartbeat();
      const instances = await this.redis.smembers(K.instances);
      for (const id of instances) {
        if (id === this.instanceId) continue;
        if (await this.redis.exists(K.alive(id))) continue;
        if ((await this.redis.set(K.reapLock(id), this.instanceId, 'PX', 30_000, 'NX')) !== 'OK') continue;
        await this.reapInstance(id);
      }
    } catch (err) {
      this.logger.warn(`presence heartbeat failed: ${(err as Error).message}`);
    }
  }

  /** Takes a dead instance's connections out of presence; users left with none go offline. */
  private async reapInstance(deadId: string): Promise<void> {
    const users = await this.redis.smembers(K.instanceUsers(deadId));
    this.logger.warn(`instance ${deadId} stopped heart-beating; reaping ${users.length} users`);
    for (const userId of users) {
      await this.redis.hdel(K.user(userId), deadId);
      if ((await this.liveConnections(userId)) > 0) continue;
      if ((await this.redis.del(K.online(userId))) === 1) this.reapedHandler?.(userId);
    }
    await this.redis.multi().del(K.instanceUsers(deadId)).srem(K.instances, deadId).exec();
  }

  private async reregister(): Promise<void> {
    try {
      await this.heartbeat();
      for (const userId of this.localUsers()) {
        await this.redis.multi().hset(K.user(userId), this.instanceId, 1).sadd(K.instanceUsers(this.instanceId), userId).set(K.online(userId), '1').exec();
      }
    } catch (err) {
      this.logger.warn(`presence re-registration failed: ${(err as Error).message}`);
    }
  }
}
