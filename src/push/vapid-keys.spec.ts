import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/app-config';
import { FALLBACK_VAPID_SUBJECT, generateVapidKeyPair, loadVapidDetails, VAPID_KEYS_FILE } from './vapid-keys';

const dataDir = () => mkdtempSync(join(tmpdir(), 'chat-vapid-'));
const base = { JWT_SECRET: 'Zq8vN2xK4mP7rT1wY5uB9cE3gH6jL0aS', NODE_ENV: 'test' };

describe('VAPID configuration', () => {
  it('accepts a matching pair and a mailto: or https: subject', () => {
    const pair = generateVapidKeyPair();
    const config = loadConfig({ ...base, DATA_DIR: dataDir(), VAPID_PUBLIC_KEY: pair.publicKey, VAPID_PRIVATE_KEY: pair.privateKey, VAPID_SUBJECT: 'mailto:ops@chat.test' });
    expect(config.vapidKeys).toEqual(pair);
    expect(config.vapidSubject).toBe('mailto:ops@chat.test');
    expect(loadVapidDetails(config)).toEqual({ ...pair, subject: 'mailto:ops@chat.test', source: 'config' });
  });

  it('refuses half a pair, wrong lengths, non-base64url and bad subjects with a sentence naming the variable', () => {
    const pair = generateVapidKeyPair();
    const bad: [Record<string, string>, RegExp][] = [
      [{ VAPID_PUBLIC_KEY: pair.publicKey }, /VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together/],
      [{ VAPID_PRIVATE_KEY: pair.privateKey }, /must be set together/],
      [{ VAPID_PUBLIC_KEY: pair.publicKey.slice(1), VAPID_PRIVATE_KEY: pair.privateKey }, /VAPID_PUBLIC_KEY must be/],
      [{ VAPID_PUBLIC_KEY: pair.publicKey, VAPID_PRIVATE_KEY: pair.privateKey + 'AA' }, /VAPID_PRIVATE_KEY must be/],
      [{ VAPID_PUBLIC_KEY: pair.publicKey, VAPID_PRIVATE_KEY: 'not base64url!' }, /VAPID_PRIVATE_KEY must be/],
      [{ VAPID_SUBJECT: 'http://chat.test' }, /VAPID_SUBJECT must be a mailto: address or an https: URL/],
      [{ VAPID_SUBJECT: 'ops@chat.test' }, /VAPID_SUBJECT/],
    ];
    for (const [env, message] of bad) {
      expect(() => loadConfig({ ...base, DATA_DIR: dataDir(), ...env })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, DATA_DIR: dataDir(), ...env })).toThrow(message);
    }
  });

  it('refuses a configured pair whose public key is not the private key\'s', () => {
    const [a, b] = [generateVapidKeyPair(), generateVapidKeyPair()];
    const config = loadConfig({ ...base, DATA_DIR: dataDir(), VAPID_PUBLIC_KEY: a.publicKey, VAPID_PRIVATE_KEY: b.privateKey });
    expect(() => loadVapidDetails(config)).toThrow(/VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY/);
  });
});

describe('loadVapidDetails without configured keys', () => {
  it('generates a pair once into DATA_DIR (mode 0600) and reads it back on the next start', () => {
    const config = loadConfig({ ...base, DATA_DIR: dataDir() });
    const first = loadVapidDetails(config);
    expect(first.source).toBe('data-dir');
    const file = join(config.dataDir, VAPID_KEYS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ publicKey: first.publicKey, privateKey: first.privateKey });
    expect(loadVapidDetails(config)).toEqual(first);
  });

  it('replaces an unusable file instead of signing with it', () => {
    const config = loadConfig({ ...base, DATA_DIR: dataDir() });
    writeFileSync(join(config.dataDir, VAPID_KEYS_FILE), '{"publicKey":"x","privateKey":"y"}');
    const details = loadVapidDetails(config);
    expect(Buffer.from(details.publicKey, 'base64url')).toHaveLength(65);
  });

  it('takes the subject from VAPID_SUBJECT, else the first https origin, else a fallback', () => {
    const dir = dataDir();
    expect(loadVapidDetails(loadConfig({ ...base, DATA_DIR: dir })).subject).toBe(FALLBACK_VAPID_SUBJECT);
    expect(loadVapidDetails(loadConfig({ ...base, DATA_DIR: dir, ALLOWED_ORIGINS: 'http://localhost:3000,https://chat.test' })).subject).toBe('https://chat.test');
    expect(loadVapidDetails(loadConfig({ ...base, DATA_DIR: dir, VAPID_SUBJECT: 'https://ops.chat.test/contact' })).subject).toBe('https://ops.chat.test/contact');
  });
});
