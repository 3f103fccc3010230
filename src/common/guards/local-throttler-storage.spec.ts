import { LocalThrottlerStorage } from './local-throttler-storage';

describe('LocalThrottlerStorage', () => {
  let storage: LocalThrottlerStorage;
  const hit = (key = 'user:1', limit = 3, ttl = 60_000, block = 60_000, name = 'default') => storage.increment(key, ttl, limit, block, name);

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') });
    storage = new LocalThrottlerStorage();
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('allows `limit` hits per window, blocks the next one with the seconds left, and opens a new window after the block', async () => {
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    jest.advanceTimersByTime(20_000);
    await hit();
    expect((await hit()).isBlocked).toBe(false);
    jest.advanceTimersByTime(10_500);
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 30, isBlocked: true, timeToBlockExpire: 60 });
    jest.advanceTimersByTime(30_000);
    // The window has ended but the block has not: still refused, Retry-After counts down the block.
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: true, timeToBlockExpire: 30 });
    jest.advanceTimersByTime(30_000);
    expect(await hit()).toMatchObject({ isBlocked: false });
  });

  it('counts each key and each throttler name apart', async () => {
    for (let i = 0; i < 3; i++) await hit('user:1');
    expect((await hit('user:1')).isBlocked).toBe(true);
    expect((await hit('user:2')).isBlocked).toBe(false);
    expect((await hit('user:1', 3, 60_000, 60_000, 'auth')).isBlocked).toBe(false);
  });

  it('keeps one counter per key however high the limit: a million hits hold one bucket', async () => {
    for (let i = 0; i < 1_000_000; i++) await hit('user:1', 1_000_000);
    expect(await hit('user:1', 1_000_000)).toMatchObject({ totalHits: 1_000_001, isBlocked: true });
    expect(storage.size).toBe(1);
  });

  it('drops buckets whose window and block have ended, and keeps a blocked one', async () => {
    await hit('idle', 3, 1_000);
    for (let i = 0; i < 2; i++) await hit('blocked', 1, 1_000, 120_000);
    jest.advanceTimersByTime(60_000);
    expect(storage.size).toBe(1);
    expect((await hit('blocked', 1, 1_000, 120_000)).isBlocked).toBe(true);
  });
});
