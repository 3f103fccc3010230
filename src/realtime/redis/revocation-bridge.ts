import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RevocationBus, RevocationEvent } from '../../token-blacklist/revocation-bus';

/** Pub/sub channel carrying revocations between instances. */
export const REVOCATION_CHANNEL = 'chat:revocations';

/**
 * Carries revocations between instances: local ones are published to Redis, and those of other
 * instances are replayed on the local {@link RevocationBus}, which updates the in-memory blacklist
 * and closes affected sockets. PostgreSQL stays the source of truth; after a Redis outage every
 * active revocation is replayed from it.
 */
export class RevocationBridge {
  private readonly logger = new Logger(RevocationBridge.name);
  private readonly replayed = new WeakSet<RevocationEvent>();

  constructor(
    private readonly bus: RevocationBus,
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly instanceId: string,
    /** Active revocations from PostgreSQL, replayed locally after a Redis outage. */
    private readonly loadActive: () => Promise<RevocationEvent[]>,
  ) {}

  /** Starts forwarding in both directions. */
  async start(): Promise<void> {
    this.bus.subscribe((event) => {
      if (this.replayed.has(event)) return;
      this.pub.publish(REVOCATION_CHANNEL, JSON.stringify({ origin: this.instanceId, event })).catch((err: Error) => {
        this.logger.warn(`revocation not broadcast (peers reload it from PostgreSQL when Redis returns): ${err.message}`);
      });
    });
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== REVOCATION_CHANNEL) return;
      try {
        const { origin, event } = JSON.parse(message) as { origin: string; event: RevocationEvent };
        if (origin === this.instanceId) return;
        this.replayed.add(event);
        this.bus.publish(event);
      } catch {
        this.logger.warn('dropped a malformed revocation message');
      }
    });
    await this.sub.subscribe(REVOCATION_CHANNEL);
    // Connected already: any later 'ready' is a reconnect, after which we may have missed revocations.
    this.sub.on('ready', () => void this.replayFromDatabase());
  }

  /** Replays every active revocation locally (only locally: peers do the same on their reconnect). */
  async replayFromDatabase(): Promise<void> {
    try {
      for (const event of await this.loadActive()) {
        this.replayed.add(event);
        this.bus.publish(event);
      }
    } catch (err) {
      this.logger.warn(`blacklist reload failed: ${(err as Error).message}`);
    }
  }
}
