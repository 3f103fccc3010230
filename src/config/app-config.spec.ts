import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'chat-config-'));
const strongSecret = () => randomBytes(48).toString('base64url');

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      redisUrl: undefined,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      bcryptCost: 12,
      rateLimitAuthPerMinute: 10,
      rateLimitPerMinute: 120,
      wsMessagesPerSecond: 10,
      wsMessagesBurst: 20,
      wsAuthTimeoutMs: 10_000,
      wsMaxConnectionsPerIp: 50,
      messageEditWindowSeconds: 0,
      uploadMaxBytes: 4_194_304,
      allowedOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      logLevel: 'info',
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be an integer between 0 and 65535, got "abc"\.$/],
    [{ PORT: '70000' }, /^PORT /],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL must be a URL/],
    [{ DATABASE_URL: 'mysql://x/y' }, /^DATABASE_URL must use postgres: or postgresql:/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL must use redis: or rediss:/],
    [{ NODE_ENV: 'staging' }, /^NODE_ENV must be one of/],
    [{ BCRYPT_COST: '8' }, /^BCRYPT_COST must be an integer between 10 and 15/],
    [{ ALLOWED_ORIGINS: 'localhost:3000' }, /^ALLOWED_ORIGINS must be a comma-separated list of origins/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ WS_MESSAGES_PER_SECOND: '0' }, /^WS_MESSAGES_PER_SECOND /],
    [{ WS_MAX_CONNECTIONS_PER_IP: '0' }, /^WS_MAX_CONNECTIONS_PER_IP must be an integer between 1 and 100000/],
    [{ WS_MAX_CONNECTIONS_PER_IP: 'many' }, /^WS_MAX_CONNECTIONS_PER_IP /],
    [{ JWT_SECRET: 'short' }, /^JWT_SECRET must be at least 32 characters long\.$/],
    [{ JWT_SECRET: 'change-me-to-a-long-random-string-please' }, /^JWT_SECRET looks like a placeholder/],
    [{ JWT_SECRET: 'x'.repeat(40) }, /^JWT_SECRET looks like a placeholder/],
    [{ JWT_SECRET: 'your-jwt-secret-goes-here-0123456789abcdef' }, /^JWT_SECRET looks like a placeholder/],
  ])('refuses %j with one sentence naming the variable', (env, message) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(message);
  });

  it('requires JWT_SECRET in production and accepts a random one', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(/^JWT_SECRET is required when NODE_ENV=production/);
    // Random secrets must never be mistaken for placeholders (a short word in the list once was).
    const dir = dataDir();
    for (let i = 0; i < 20_000; i++) {
      const secret = strongSecret();
      expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, JWT_SECRET: secret }).jwtSecret).toBe(secret);
    }
  });

  it('takes WS_MAX_CONNECTIONS_PER_IP, and the default origins follow PORT (same-origin pages are allowed anyway)', () => {
    expect(loadConfig({ DATA_DIR: dataDir(), WS_MAX_CONNECTIONS_PER_IP: '7' }).wsMaxConnectionsPerIp).toBe(7);
    expect(loadConfig({ DATA_DIR: dataDir(), PORT: '3931' }).allowedOrigins).toEqual(['http://localhost:3931', 'http://127.0.0.1:3931']);
  });

  it('allows a low bcrypt cost only in tests', () => {
    expect(loadConfig({ NODE_ENV: 'test', BCRYPT_COST: '4', DATA_DIR: dataDir() }).bcryptCost).toBe(4);
  });

  it('generates the development secret once, keeps it in DATA_DIR (0600) and reuses it', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(first);
  });
});
