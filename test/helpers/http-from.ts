import { request } from 'node:http';
import { expectError, HttpResult } from './http';

/**
 * One JSON request from a chosen local address (127.0.0.x are all loopback on Linux), to prove that
 * buckets follow the real client address.
 */
export function httpFrom(localAddress: string, base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const url = new URL(base + path);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: h });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Asserts a 429 in API.md's shape with a sane Retry-After (seconds, at most the one-minute window). */
export function expectRateLimited(res: HttpResult): void {
  const err = expectError(res, 429, 'RATE_LIMITED');
  expect(err.error).toEqual(expect.any(String));
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

