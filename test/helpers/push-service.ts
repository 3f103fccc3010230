import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake push service received. */
export interface ReceivedPush {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** How the fake push service answers requests to a path. */
export type PushBehaviour = { status: number } | { hold: true };

/**
 * A push service for tests: a plain HTTP server on 127.0.0.1 that records every request and answers
 * per path (a status, or holding the request open until {@link release}). It closes itself after
 * `lifetimeMs` even if a suite forgets to.
 */
export class FakePushService {
  readonly received: ReceivedPush[] = [];
  private readonly server: Server;
  private readonly behaviours = new Map<string, PushBehaviour>();
  private readonly held = new Map<string, ServerResponse[]>();
  private waiters: { match: (r: ReceivedPush) => boolean; resolve: (r: ReceivedPush) => void }[] = [];
  origin = '';

  private constructor(lifetimeMs: number) {
    this.server = createServer((req, res) => this.handle(req, res));
    const stop = setTimeout(() => void this.close(), lifetimeMs);
    stop.unref();
    this.server.unref();
  }

  /** Starts a fake push service on an ephemeral port of 127.0.0.1. */
  static async start(lifetimeMs = 120_000): Promise<FakePushService> {
    const service = new FakePushService(lifetimeMs);
    await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
    service.origin = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
    return service;
  }

  /** Makes requests to `path` (the URL path, whatever the query) answer like this (default 201). */
  on(path: string, behaviour: PushBehaviour): void {
    this.behaviours.set(path, behaviour);
  }

  /** Requests received so far for a path. */
  to(path: string): ReceivedPush[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Requests to `path` (the URL path, whatever the query) held open now. */
  heldCount(path: string): number {
    return this.held.get(path)?.length ?? 0;
  }

  /** Answers every held request of `path` (the URL path, whatever the query) with 201. */
  release(path: string): void {
    for (const res of this.held.get(path) ?? []) if (!res.writableEnded) res.writeHead(201).end();
    this.held.delete(path);
  }

  /** Resolves with the n-th (1-based) request to `path`, waiting for it. @throws after `timeoutMs`. */
  nth(path: string, n: number, timeoutMs = 10_000): Promise<ReceivedPush> {
    const existing = this.to(path);
    if (existing.length >= n) return Promise.resolve(existing[n - 1]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`push request #${n} to ${path} did not arrive within ${timeoutMs} ms (got ${this.to(path).length})`));
      }, timeoutMs);
      const waiter = {
        match: (r: ReceivedPush) => r.path === path && this.to(path).length >= n,
        resolve: () => (clearTimeout(timer), resolve(this.to(path)[n - 1])),
      };
      this.waiters.push(waiter);
    });
  }

  /** Stops listening and drops held requests. */
  async close(): Promise<void> {
    for (const list of this.held.values()) for (const res of list) res.destroy();
    this.held.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const push: ReceivedPush = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      this.received.push(push);
      const pathname = push.path.split('?')[0];
      const behaviour = this.behaviours.get(pathname) ?? { status: 201 };
      if ('hold' in behaviour) this.held.set(pathname, [...(this.held.get(pathname) ?? []), res]);
      else res.writeHead(behaviour.status).end();
      for (const w of this.waiters.filter((x) => x.match(push))) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(push);
      }
    });
  }
}

/** A browser-side push subscription made in the test: a real P-256 key pair and auth secret. */
export interface TestSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  privateKey: Buffer;
  publicKey: Buffer;
  authSecret: Buffer;
}

/** Creates what `pushManager.subscribe` would: the user agent's ECDH key pair and a 16-byte auth secret. */
export function makeSubscription(endpoint: string): TestSubscription {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const publicKey = ecdh.getPublicKey();
  const authSecret = randomBytes(16);
  return {
    endpoint,
    keys: { p256dh: publicKey.toString('base64url'), auth: authSecret.toString('base64url') },
    privateKey: ecdh.getPrivateKey(),
    publicKey,
    authSecret,
  };
}

/**
 * Decrypts an `aes128gcm` Web Push body (RFC 8291 with RFC 8188) with the subscription's private key
 * and auth secret: ECDH with the sender's key from the header, HKDF to the input key, then to the
 * content key and nonce, AES-128-GCM, and the padding delimiter removed.
 * @throws Error when the body is malformed or does not authenticate.
 */
export function decryptPush(body: Buffer, sub: TestSubscription): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderPublicKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  if (idLength !== 65 || ciphertext.length > recordSize) throw new Error(`unexpected header: keyid ${idLength} bytes, record ${ciphertext.length}/${recordSize}`);

  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(sub.privateKey);
  const sharedSecret = ecdh.computeSecret(senderPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.publicKey, senderPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, sub.authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));

  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with 0x02 followed by zero or more 0x00 padding bytes.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('missing last-record padding delimiter');
  return padded.subarray(0, end).toString('utf8');
}

/** The claims of a verified VAPID JWT, and the key it named. */
export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
  key: string;
}

/**
 * Parses `Authorization: vapid t=<jwt>, k=<public key>` (RFC 8292) and verifies the ES256 signature
 * of the JWT against `k`.
 * @throws Error when the header is malformed or the signature does not verify.
 */
export function verifyVapid(authorization: string | undefined): VapidClaims {
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) throw new Error(`not a VAPID authorization header: ${authorization}`);
  const [, jwt, k] = match;
  const [header, claims, signature] = jwt.split('.');
  const point = Buffer.from(k, 'base64url');
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const ok = verify('sha256', Buffer.from(`${header}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('VAPID JWT signature does not verify');
  const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string };
  if (head.alg !== 'ES256') throw new Error(`VAPID JWT alg ${head.alg}`);
  return { ...(JSON.parse(Buffer.from(claims, 'base64url').toString()) as Omit<VapidClaims, 'key'>), key: k };
}
