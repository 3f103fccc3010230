import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Fully validated, typed runtime configuration. Units are in the names. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Unset means "start the embedded PostgreSQL"; filled in by the launcher before the app boots. */
  databaseUrl: string | undefined;
  /** Absolute path of the data directory (embedded database, uploads, development secret). */
  dataDir: string;
  redisUrl: string | undefined;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  bcryptCost: number;
  rateLimitAuthPerMinute: number;
  rateLimitPerMinute: number;
  /** Refreshes allowed per session (refresh-token family) per minute. */
  rateLimitRefreshPerMinute: number;
  /** REST requests failing authentication (bad, expired or revoked token) allowed per IP per minute. */
  rateLimitAuthFailuresPerMinute: number;
  wsMessagesPerSecond: number;
  wsMessagesBurst: number;
  wsAuthTimeoutMs: number;
  wsMaxConnectionsPerUser: number;
  /** Concurrent WebSocket connections from one client IP (TRUST_PROXY decides the IP); more close 1013. */
  wsMaxConnectionsPerIp: number;
  wsMaxBufferedBytes: number;
  presenceGraceMs: number;
  messageEditWindowSeconds: number;
  uploadMaxBytes: number;
  allowedOrigins: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Proxy addresses/CIDRs whose X-Forwarded-For is trusted; empty = trust no proxy. */
  trustProxy: string[];
  /** Connections in the TypeORM/pg pool of each instance. */
  dbPoolSize: number;
  /** PostgreSQL statement_timeout of pool connections, in ms; 0 = no limit. */
  dbStatementTimeoutMs: number;
  /** Fastify requestTimeout and connectionTimeout, in ms; 0 = no limit. */
  requestTimeoutMs: number;
  /** Who may register: anyone, holders of an invite code, or nobody. */
  registration: 'open' | 'invite' | 'closed';
  /** Serve GET /metrics (Prometheus text format). */
  metrics: boolean;
  /** Bearer token every scrape must carry; undefined = loopback clients only. */
  metricsToken: string | undefined;
  /** Usernames promoted to server admin at start (lower-cased). */
  adminUsernames: string[];
  /**
   * Web Push VAPID key pair (base64url: public = 65-byte uncompressed P-256 point, private = 32
   * bytes); undefined means "generate once into DATA_DIR" (src/push/vapid-keys.ts).
   */
  vapidKeys: { publicKey: string; privateKey: string } | undefined;
  /** VAPID `sub` claim: a mailto: or https: contact; undefined means "derive one" (src/push/vapid-keys.ts). */
  vapidSubject: string | undefined;
}

/** Thrown for a bad environment value; the message is one sentence naming the variable. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/**
 * Words that give away a value copied from documentation rather than generated. Each is at least 7
 * characters long, so a random base64 secret contains one by chance about once in 10^8 secrets (a
 * 4-letter word such as "todo" turned up once in ~16,000 and refused a good `openssl rand` value).
 */
const PLACEHOLDER_WORDS = /change.?me|replace.?me|your.?(jwt.?)?secret|placeholder|example|insecure|not.?secret/i;

/** True for documentation placeholders and obviously weak values (few distinct characters). */
function looksLikePlaceholder(secret: string): boolean {
  return PLACEHOLDER_WORDS.test(secret) || new Set(secret).size < 10;
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}".`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}".`);
  }
  return value;
}

function enumVar<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}".`);
  return raw as T;
}

function listVar(env: Env, name: string, fallback = ''): string[] {
  return (env[name] ?? fallback)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function urlVar(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL like ${protocols[0]}//host:port/…, got something that is not a URL.`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}".`);
  }
  return raw.trim();
}

/**
 * Loads the development JWT secret from DATA_DIR, creating it (48 random bytes, mode 0600) the first
 * time, so tokens survive restarts without anyone having to configure a secret.
 */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/** Bytes of a base64url value (padding tolerated), or -1 when it is not base64url. */
function base64UrlBytes(value: string): number {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return -1;
  return Buffer.from(value.replace(/=+$/, ''), 'base64url').length;
}

/** VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: both or neither, each the right length of base64url. */
function vapidKeysVar(env: Env): AppConfig['vapidKeys'] {
  const publicKey = env.VAPID_PUBLIC_KEY?.trim() ?? '';
  const privateKey = env.VAPID_PRIVATE_KEY?.trim() ?? '';
  if (publicKey === '' && privateKey === '') return undefined;
  if (publicKey === '' || privateKey === '') {
    throw new ConfigError('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together (generate a pair with `npx web-push generate-vapid-keys`).');
  }
  if (base64UrlBytes(publicKey) !== 65 || Buffer.from(publicKey, 'base64url')[0] !== 4) {
    throw new ConfigError('VAPID_PUBLIC_KEY must be a base64url uncompressed P-256 public key (65 bytes, 87 characters).');
  }
  if (base64UrlBytes(privateKey) !== 32) throw new ConfigError('VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes, 43 characters).');
  return { publicKey: publicKey.replace(/=+$/, ''), privateKey: privateKey.replace(/=+$/, '') };
}

/** VAPID_SUBJECT: a mailto: address or an https: URL, as push services require. */
function vapidSubjectVar(env: Env): string | undefined {
  const raw = env.VAPID_SUBJECT?.trim() ?? '';
  if (raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !['mailto:', 'https:'].includes(url.protocol)) {
    throw new ConfigError(`VAPID_SUBJECT must be a mailto: address or an https: URL, got "${raw}".`);
  }
  return raw;
}

/**
 * Reads and validates the environment (see .env.example and API.md's configuration table).
 * @throws ConfigError with one sentence naming the variable when a value is invalid.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnvRaw = (env.NODE_ENV ?? 'development').trim() || 'development';
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    throw new ConfigError(`NODE_ENV must be one of development, production, test, got "${nodeEnvRaw}".`);
  }
  const nodeEnv = nodeEnvRaw as AppConfig['nodeEnv'];

  const host = (env.HOST ?? '127.0.0.1').trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) throw new ConfigError(`HOST must be an IP address or host name, got "${host}".`);

  const dataDirRaw = (env.DATA_DIR ?? '.data').trim() || '.data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(process.cwd(), dataDirRaw);

  const databaseUrl = urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']);

  let jwtSecret = env.JWT_SECRET?.trim() ?? '';
  if (jwtSecret !== '') {
    if (jwtSecret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters long.');
    if (looksLikePlaceholder(jwtSecret)) {
      throw new ConfigError('JWT_SECRET looks like a placeholder value; generate one with `openssl rand -base64 48`.');
    }
  } else if (nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production (at least 32 random characters).');
  } else {
    jwtSecret = developmentSecret(dataDir);
  }

  const bcryptCost = intVar(env, 'BCRYPT_COST', 12, nodeEnv === 'test' ? 4 : 10, 15);

  const port = intVar(env, 'PORT', 3000, 0, 65535);
  // A same-origin page is always allowed (the gateway compares Origin with the request's own host),
  // so the default only adds the loopback names of the configured port.
  const origins = (env.ALLOWED_ORIGINS ?? `http://localhost:${port},http://127.0.0.1:${port}`)
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(`ALLOWED_ORIGINS must be a comma-separated list of origins like https://chat.example.com, got "${origin}".`);
    }
  }

  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && (metricsToken.length < 16 || looksLikePlaceholder(metricsToken))) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 random characters (openssl rand -hex 24), or unset for loopback-only scrapes.');
  }

  const logLevel = (env.LOG_LEVEL ?? 'info').trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}".`);
  }

  return {
    nodeEnv,
    port,
    host,
    databaseUrl,
    dataDir,
    redisUrl,
    jwtSecret,
    accessTokenTtlSeconds: intVar(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 1, 86_400),
    refreshTokenTtlSeconds: intVar(env, 'REFRESH_TOKEN_TTL_SECONDS', 2_592_000, 60, 31_536_000),
    bcryptCost,
    rateLimitAuthPerMinute: intVar(env, 'RATE_LIMIT_AUTH_PER_MINUTE', 10, 1, 1_000_000),
    rateLimitPerMinute: intVar(env, 'RATE_LIMIT_PER_MINUTE', 120, 1, 1_000_000),
    rateLimitRefreshPerMinute: intVar(env, 'RATE_LIMIT_REFRESH_PER_MINUTE', 60, 1, 1_000_000),
    rateLimitAuthFailuresPerMinute: intVar(env, 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', 30, 1, 1_000_000),
    wsMessagesPerSecond: intVar(env, 'WS_MESSAGES_PER_SECOND', 10, 1, 100_000),
    wsMessagesBurst: intVar(env, 'WS_MESSAGES_BURST', 20, 1, 1_000_000),
    wsAuthTimeoutMs: intVar(env, 'WS_AUTH_TIMEOUT_MS', 10_000, 100, 600_000),
    wsMaxConnectionsPerUser: intVar(env, 'WS_MAX_CONNECTIONS_PER_USER', 10, 1, 1000),
    wsMaxConnectionsPerIp: intVar(env, 'WS_MAX_CONNECTIONS_PER_IP', 50, 1, 100_000),
    wsMaxBufferedBytes: intVar(env, 'WS_MAX_BUFFERED_BYTES', 1_048_576, 65_536, 1_073_741_824),
    presenceGraceMs: intVar(env, 'PRESENCE_GRACE_MS', 5000, 0, 600_000),
    messageEditWindowSeconds: intVar(env, 'MESSAGE_EDIT_WINDOW_SECONDS', 0, 0, 31_536_000),
    uploadMaxBytes: intVar(env, 'UPLOAD_MAX_BYTES', 4_194_304, 1, 104_857_600),
    allowedOrigins: origins.map((o) => o.replace(/\/$/, '')),
    logLevel: logLevel as AppConfig['logLevel'],
    trustProxy: listVar(env, 'TRUST_PROXY'),
    dbPoolSize: intVar(env, 'DB_POOL_SIZE', 20, 1, 1000),
    dbStatementTimeoutMs: intVar(env, 'DB_STATEMENT_TIMEOUT_MS', 0, 0, 86_400_000),
    requestTimeoutMs: intVar(env, 'REQUEST_TIMEOUT_MS', 30_000, 0, 3_600_000),
    registration: enumVar(env, 'REGISTRATION', ['open', 'invite', 'closed'] as const, 'open'),
    metrics: enumVar(env, 'METRICS', ['off', 'on'] as const, 'off') === 'on',
    metricsToken,
    adminUsernames: listVar(env, 'ADMIN_USERNAMES').map((u) => u.toLowerCase()),
    vapidKeys: vapidKeysVar(env),
    vapidSubject: vapidSubjectVar(env),
  };
}

/**
 * {@link loadConfig} for command-line entry points: a bad value prints
 * `Configuration error: <sentence naming the variable>` on stderr and exits with status 1.
 */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
