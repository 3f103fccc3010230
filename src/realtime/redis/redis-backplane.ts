import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Backplane } from '../backplane/backplane';
import type { FanoutEnvelope } from '../backplane/fanout-envelope';

/** Pub/sub channel every instance publishes fan-out envelopes to. */
export const FANOUT_CHANNEL = 'chat:fanout';

/**
 * Redis pub/sub backplane. Pub/sub (rather than streams) fits because nothing here must survive a
 * restart: every event is already in PostgreSQL, and a client that missed events while an instance or
 * Redis was away converges through `sync`. Each instance also receives its own envelopes back, so all
 * instances deliver in the same (Redis) order; while Redis is unreachable, envelopes are delivered
 * locally only.
 */
export class RedisBackplane extends Backplane {
  private readonly logger = new Logger(RedisBackplane.name);

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
  ) {
    super();
  }

  /** Subscribes to the channel; call once after both connections are up. */
  async start(): Promise<void> {
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== FANOUT_CHANNEL) return;
      let envelope: FanoutEnvelope;
      try {
        envelope = JSON.parse(message) as FanoutEnvelope;
      } catch {
        this.logger.warn('dropped a malformed backplane envelope');
        return;
      }
      this.dispatch(envelope);
    });
    await this.sub.subscribe(FANOUT_CHANNEL);
  }

  publish(envelope: FanoutEnvelope): void {
    if (!this.isHealthy()) {
      this.dispatch(envelope);
      return;
    }
    this.pub.publish(FANOUT_CHANNEL, JSON.stringify(envelope)).catch((err: Error) => {
      // Not published: the other instances miss it (their clients catch up with sync); ours must not.
      this.logger.warn(`backplane publish failed, delivering locally: ${err.message}`);
      this.dispatch(envelope);
    });
  }

  isHealthy(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }
}
