import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { startRedis, TestRedis } from '../../test/helpers/redis-server';
import type { RedisClients } from '../realtime/redis/redis-clients';
import { PUSH_INTERVAL_MS, PushThrottle } from './push-throttle';

/** A throttle on its own connection to `redis`, ready before it is returned. */
async function sharedThrottle(redis: TestRedis, clients: Redis[]): Promise<PushThrottle> {
  const cmd = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  clients.push(cmd);
  await new Promise<void>((resolve) => cmd.once('ready', () => resolve()));
  return new PushThrottle({ cmd, sub: cmd, instanceId: 'test' } as RedisClients);
}

describe('PushThrottle', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));

  it('without Redis: claims each pair once per interval, in order, a repeated pair only at its first place', async () => {
    const throttle = new PushThrottle(null);
    expect(await throttle.claimAll([])).toEqual([]);
    expect(await throttle.claimAll([{ userId: 'u1', roomId: 'r1' }, { userId: 'u2', roomId: 'r1' }, { userId: 'u1', roomId: 'r1' }, { userId: 'u1', roomId: 'r2' }])).toEqual([true, true, false, true]);
    expect(await throttle.claimAll([{ userId: 'u1', roomId: 'r1' }, { userId: 'u3', roomId: 'r1' }])).toEqual([false, true]);
  });

  describe('with Redis', () => {
    let redis: TestRedis;
    const clients: Redis[] = [];
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      clients.forEach((c) => c.disconnect());
      await redis?.stop();
    });

    it('claims a batch in one pipeline, shared by every instance, and each key expires with the interval', async () => {
      const [one, other] = [await sharedThrottle(redis, clients), await sharedThrottle(redis, clients)];
      const pairs = Array.from({ length: 50 }, (_, i) => ({ userId: `user-${i}`, roomId: 'room-a' }));
      const pipelines = jest.spyOn(clients[0], 'pipeline');
      const commands = jest.spyOn(clients[0], 'sendCommand');
      expect(await one.claimAll([...pairs, pairs[7]])).toEqual([...pairs.map(() => true), false]);
      // One pipeline of 51 SETs; no command sent on its own.
      expect(pipelines).toHaveBeenCalledTimes(1);
      expect(commands.mock.calls.map(([command, stream]) => [command.name, (stream as { isPipeline?: boolean } | undefined)?.isPipeline === true])).toEqual(Array(51).fill(['set', true]));
      // The other instance sees the claims; a pair it has not seen is its own.
      expect(await other.claimAll([pairs[0], { userId: 'user-0', roomId: 'room-b' }, pairs[49]])).toEqual([false, true, false]);
      const ttl = await clients[1].pttl('push:throttle:user-3:room-a');
      expect(ttl).toBeGreaterThan(PUSH_INTERVAL_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(PUSH_INTERVAL_MS);
    });

    it('decides locally, never throwing, when Redis refuses the writes or is gone', async () => {
      const throttle = await sharedThrottle(redis, clients);
      // Writes refused (out of memory): each refused claim is decided by this process.
      await clients[clients.length - 1].config('SET', 'maxmemory-policy', 'noeviction');
      await clients[clients.length - 1].config('SET', 'maxmemory', '1');
      try {
        const pairs = [{ userId: 'oom-1', roomId: 'r' }, { userId: 'oom-2', roomId: 'r' }];
        expect(await throttle.claimAll(pairs)).toEqual([true, true]);
        expect(await throttle.claimAll(pairs)).toEqual([false, false]);
        expect(await clients[clients.length - 1].exists('push:throttle:oom-1:r')).toBe(0);
      } finally {
        await clients[clients.length - 1].config('SET', 'maxmemory', '0');
      }
      // Redis gone: the same.
      await redis.stop();
      await new Promise((r) => setTimeout(r, 100));
      expect(await throttle.claimAll([{ userId: 'gone', roomId: 'r' }, { userId: 'oom-1', roomId: 'r' }])).toEqual([true, false]);
      await redis.restart();
    });
  });
});
