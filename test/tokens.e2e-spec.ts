import { SchedulerRegistry } from '@nestjs/schedule';
import { createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TokenBlacklistService } from '../src/token-blacklist/token-blacklist.service';
import { expectError, http, registerUser } from './helpers/http';
import { startTestApp, TEST_ENV, useTestApp } from './helpers/app';
import { WsTestClient } from './helpers/ws-client';

const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A JWT signed with HMAC (or not at all for alg none), exactly as an attacker would forge one. */
function forge(header: object, claims: object, key: string | null, hmac = 'sha256'): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  const signature = key === null ? '' : createHmac(hmac, key).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Token forgery attempts, the blacklist's persistence across restarts and its scheduled purge. */
describe('tokens: forgery, blacklist persistence and purge (e2e)', () => {
  const { t, sockets } = useTestApp();

  describe('forged and misused access tokens are refused on REST and WebSocket', () => {
    let valid: Record<string, unknown>;
    let refreshToken: string;
    const now = () => Math.floor(Date.now() / 1000);

    beforeAll(async () => {
      const u = await registerUser(t.api);
      valid = decodeClaims(u.token);
      refreshToken = u.refreshToken;
      // The genuine token works, so every refusal below is about the forgery.
      expect((await http(t.api, 'GET', '/auth/me', { token: u.token })).status).toBe(200);
      expect(valid).toMatchObject({ typ: 'access', sub: u.id, sid: expect.any(String), jti: expect.any(String) });
    });

    const cases: [string, () => string, string][] = [
      ['alg none, no signature', () => forge({ alg: 'none', typ: 'JWT' }, valid, null), 'TOKEN_INVALID'],
      ['alg none with a signature', () => forge({ alg: 'none', typ: 'JWT' }, valid, TEST_ENV.JWT_SECRET), 'TOKEN_INVALID'],
      ['HS256 with a wrong key', () => forge({ alg: 'HS256', typ: 'JWT' }, valid, 'a-completely-different-key-0123456789abcdef'), 'TOKEN_INVALID'],
      ['HS512 with the right key (algorithm pinned)', () => forge({ alg: 'HS512', typ: 'JWT' }, valid, TEST_ENV.JWT_SECRET, 'sha512'), 'TOKEN_INVALID'],
      ['RS256 header, HMAC signature (algorithm confusion)', () => forge({ alg: 'RS256', typ: 'JWT' }, valid, TEST_ENV.JWT_SECRET), 'TOKEN_INVALID'],
      ['expired, right key', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...valid, iat: now() - 3600, exp: now() - 60 }, TEST_ENV.JWT_SECRET), 'TOKEN_EXPIRED'],
      ['wrong typ "refresh", right key', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...valid, typ: 'refresh' }, TEST_ENV.JWT_SECRET), 'TOKEN_INVALID'],
      ['no typ, right key', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...valid, typ: undefined }, TEST_ENV.JWT_SECRET), 'TOKEN_INVALID'],
      ['no sid, right key', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...valid, sid: undefined }, TEST_ENV.JWT_SECRET), 'TOKEN_INVALID'],
      ['no exp, right key', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...valid, exp: undefined }, TEST_ENV.JWT_SECRET), 'TOKEN_INVALID'],
      ['tampered claims, original signature', () => {
        const [h, , s] = forge({ alg: 'HS256', typ: 'JWT' }, valid, TEST_ENV.JWT_SECRET).split('.');
        return `${h}.${b64({ ...valid, sub: randomUUID() })}.${s}`;
      }, 'TOKEN_INVALID'],
      ['a refresh token used as bearer', () => refreshToken, 'TOKEN_INVALID'],
      ['garbage', () => 'not.a.jwt', 'TOKEN_INVALID'],
    ];

    it.each(cases)('REST: %s → 401', async (_name, token, code) => {
      const err = expectError(await http(t.api, 'GET', '/auth/me', { token: token() }), 401, code);
      expect(JSON.stringify(err)).not.toMatch(/secret|stack/i);
    });

    it.each(cases)('WebSocket: %s → close 4401', async (_name, token) => {
      const byHeader = new WsTestClient(t.wsUrl, { token: token() });
      sockets.push(byHeader);
      expect((await byHeader.closed).code).toBe(4401);
      const byMessage = new WsTestClient(t.wsUrl);
      sockets.push(byMessage);
      await byMessage.next('auth_required');
      byMessage.send({ type: 'auth', payload: { token: token() } });
      expect((await byMessage.closed).code).toBe(4401);
    });

    it('a signed token with the right key and claims is accepted (the forger needs the key)', async () => {
      const token = forge({ alg: 'HS256', typ: 'JWT' }, valid, TEST_ENV.JWT_SECRET);
      expect((await http(t.api, 'GET', '/auth/me', { token })).status).toBe(200);
    });

    it('non-Bearer schemes and an empty bearer are 401 UNAUTHORIZED', async () => {
      expectError(await http(t.api, 'GET', '/auth/me', { headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } }), 401, 'UNAUTHORIZED');
      expectError(await http(t.api, 'GET', '/auth/me', { headers: { authorization: 'Bearer ' } }), 401, 'UNAUTHORIZED');
    });
  });

  it('revocations survive a restart: a new instance loads them from PostgreSQL', async () => {
    const u = await registerUser(t.api);
    expect((await http(t.api, 'POST', '/auth/logout', { token: u.token })).status).toBe(200);
    const second = await startTestApp();
    try {
      const err = expectError(await http(second.api, 'GET', '/auth/me', { token: u.token }), 401, 'TOKEN_REVOKED');
      expect(err.error).toMatch(/revoked/);
    } finally {
      await second.close();
    }
  });

  it('expired revocations are purged from PostgreSQL and memory, on a registered schedule', async () => {
    const registry = t.app.get(SchedulerRegistry);
    expect(registry.getInterval('purge-revoked-tokens')).toBeDefined();
    expect(registry.getInterval('purge-stale-sessions')).toBeDefined();

    const db = t.app.get(DataSource);
    const expiredId = randomUUID();
    const liveId = randomUUID();
    await db.query(
      `INSERT INTO revoked_tokens (id, kind, user_id, expires_at) VALUES ($1, 'jti', NULL, now() - interval '1 minute'), ($2, 'jti', NULL, now() + interval '10 minutes')`,
      [expiredId, liveId],
    );
    const blacklist = t.app.get(TokenBlacklistService);
    await blacklist.purgeExpired();
    const left = (await db.query(`SELECT id FROM revoked_tokens WHERE id = ANY($1::uuid[])`, [[expiredId, liveId]])) as { id: string }[];
    expect(left.map((r) => r.id)).toEqual([liveId]);
  });
});
