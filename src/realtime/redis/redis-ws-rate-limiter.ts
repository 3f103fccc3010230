import type { Redis } from 'ioredis';
import type { AppConfig } from '../../config/app-config';
import { ABUSE_WINDOW_MS, InProcessWsRateLimiter, isAbusive, RateDecision, WsRateLimiter } from '../ws-rate-limiter';

/**
 * Token bucket in one Lua call, so concurrent frames from a user's connections on different
 * instances take tokens atomically. Refusals are counted per window (ABUSE_WINDOW_MS, from the first
 * refusal) in `<key>:abuse`. Returns {allowed, tokens, refusedInWindow, windowStartMs}.
 */
const TAKE_SCRIPT = `
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local b = redis.call('HMGET', key, 't', 'u')
local tokens = tonumber(b[1]) or burst
local updated = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) / 1000 * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', key, 't', tostring(tokens), 'u', now)
redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + window)
local refused = 0
local since = now
if allowed == 0 then
  local abuse = key .. ':abuse'
  refused = redis.call('HINCRBY', abuse, 'n', 1)
  if refused == 1 then
    redis.call('HSET', abuse, 's', now)
    redis.call('PEXPIRE', abuse, window)
  else
    since = tonumber(redis.call('HGET', abuse, 's')) or now
  end
end
return {allowed, tostring(tokens), refused, since}
`;

/**
 * The per-user WebSocket bucket shared by every instance, so two connections on two instances
 * cannot double a user's allowance. While Redis is unreachable it falls back to a local bucket.
 */
export class RedisWsRateLimiter extends WsRateLimiter {
  private readonly fallback: InProcessWsRateLimiter;

  constructor(
    private readonly redis: Redis,
    private readonly config: Pick<AppConfig, 'wsMessagesPerSecond' | 'wsMessagesBurst'>,
  ) {
    super();
    this.fallback = new InProcessWsRateLimiter(config);
  }

  async take(userId: string): Promise<RateDecision> {
    if (this.redis.status !== 'ready') return this.fallback.takeSync(userId);
    try {
      const now = Date.now();
      const [allowed, tokensText, refused, since] = (await this.redis.eval(
        TAKE_SCRIPT,
        1,
        `ws-rate:${userId}`,
        this.config.wsMessagesPerSecond,
        this.config.wsMessagesBurst,
        now,
        ABUSE_WINDOW_MS,
      )) as [number, string, number, number];
      if (allowed === 1) return { allowed: true, retryAfterMs: 0, abusive: false };
      const tokens = Number(tokensText);
      return {
        allowed: false,
        retryAfterMs: Math.ceil(((1 - tokens) / this.config.wsMessagesPerSecond) * 1000),
        abusive: isAbusive(refused, since, now, this.config),
      };
    } catch {
      return this.fallback.takeSync(userId);
    }
  }
}
