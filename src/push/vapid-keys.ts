import { createECDH } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';

/** The VAPID identity this server signs pushes with (RFC 8292). Keys are base64url without padding. */
export interface VapidDetails {
  /** 65-byte uncompressed P-256 point: what browsers pass to `pushManager.subscribe` as `applicationServerKey`. */
  publicKey: string;
  /** 32-byte P-256 private scalar. */
  privateKey: string;
  /** The JWT `sub` claim: a mailto: or https: contact for push service operators. */
  subject: string;
  /** Where the keys came from, for the start-up log. */
  source: 'config' | 'data-dir';
}

/** Injection token of the loaded {@link VapidDetails} (see PushModule). */
export const VAPID_DETAILS = Symbol('VAPID_DETAILS');

/** File in DATA_DIR holding the generated pair as JSON `{publicKey, privateKey}`, mode 0600. */
export const VAPID_KEYS_FILE = 'vapid-keys.json';

/** Subject used when VAPID_SUBJECT is unset and no https origin is configured. */
export const FALLBACK_VAPID_SUBJECT = 'mailto:postmaster@chat-server.invalid';

/** Generates a fresh P-256 key pair in the encoding VAPID uses. */
export function generateVapidKeyPair(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // getPrivateKey() drops leading zero bytes; VAPID wants exactly 32.
  const privateKey = Buffer.alloc(32);
  const raw = ecdh.getPrivateKey();
  raw.copy(privateKey, 32 - raw.length);
  return { publicKey: ecdh.getPublicKey(undefined, 'uncompressed').toString('base64url'), privateKey: privateKey.toString('base64url') };
}

/** True when `pair` is a usable P-256 pair: the public key is the private key's. */
function isMatchingPair(pair: { publicKey?: unknown; privateKey?: unknown }): pair is { publicKey: string; privateKey: string } {
  if (typeof pair.publicKey !== 'string' || typeof pair.privateKey !== 'string') return false;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(pair.privateKey, 'base64url'));
    return ecdh.getPublicKey(undefined, 'uncompressed').toString('base64url') === pair.publicKey;
  } catch {
    return false;
  }
}

/**
 * The VAPID keys and subject: VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY when configured, otherwise a pair
 * generated once into DATA_DIR/vapid-keys.json (mode 0600, like the development JWT secret) and read
 * back on every later start, so browser subscriptions survive restarts. The subject is VAPID_SUBJECT,
 * else the first https origin of ALLOWED_ORIGINS, else {@link FALLBACK_VAPID_SUBJECT}.
 * @throws Error when the configured pair does not match (the public key is not the private key's),
 *   or DATA_DIR cannot be written.
 */
export function loadVapidDetails(config: Pick<AppConfig, 'vapidKeys' | 'vapidSubject' | 'dataDir' | 'allowedOrigins'>): VapidDetails {
  const subject = config.vapidSubject ?? config.allowedOrigins.find((o) => o.startsWith('https://')) ?? FALLBACK_VAPID_SUBJECT;
  if (config.vapidKeys) {
    if (!isMatchingPair(config.vapidKeys)) throw new Error('VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY.');
    return { ...config.vapidKeys, subject, source: 'config' };
  }
  const file = join(config.dataDir, VAPID_KEYS_FILE);
  if (existsSync(file)) {
    let stored: { publicKey?: unknown; privateKey?: unknown } = {};
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
    } catch {
      stored = {};
    }
    if (isMatchingPair(stored)) return { publicKey: stored.publicKey, privateKey: stored.privateKey, subject, source: 'data-dir' };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const pair = generateVapidKeyPair();
  writeFileSync(file, JSON.stringify(pair) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { ...pair, subject, source: 'data-dir' };
}
