import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRoom, http, registerUser } from './helpers/http';
import { spawnServer } from './helpers/server-process';

/** Postgres processes still running with their data under `dir`. */
function postgresProcessesUsing(dir: string): string[] {
  const out = execSync('ps -eo pid,args', { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('postgres') && line.includes(dir));
}

/** The server as a process: configuration refusal, and the embedded database across restarts (issue 2). */
describe('server process start-up (e2e)', () => {
  it('refuses a bad configuration value with one sentence naming it, exiting non-zero', async () => {
    await expect(spawnServer({ PORT: 'abc' }, 30_000)).rejects.toThrow(/Configuration error: PORT from the environment: must be an integer between 0 and 65535, got "abc"\./);
    await expect(spawnServer({ NODE_ENV: 'production', JWT_SECRET: '' }, 30_000)).rejects.toThrow(/JWT_SECRET is required when NODE_ENV=production/);
  }, 60_000);

  it('without DATABASE_URL starts its own PostgreSQL, keeps every user and message across a restart, and leaves no postgres behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-embedded-'));
    const first = await spawnServer({ DATABASE_URL: '', DATA_DIR: dataDir }, 120_000);
    const alice = await registerUser(first.api);
    const room = await createRoom(first.api, alice);
    const sent = await http(first.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'kept across restarts' } });
    expect(sent.status).toBe(201);
    expect(await first.stop()).toBe(0);
    expect(postgresProcessesUsing(dataDir)).toEqual([]);

    const second = await spawnServer({ DATABASE_URL: '', DATA_DIR: dataDir }, 120_000);
    try {
      const login = await http(second.api, 'POST', '/auth/login', { body: { login: alice.username, password: alice.password } });
      expect(login.status).toBe(200);
      const history = await http(second.api, 'GET', `/rooms/${room.id}/messages`, { token: login.body.access_token });
      expect(history.body.items.map((m: any) => m.content)).toEqual(['kept across restarts']);
      // Tokens signed before the restart still verify: the development secret was kept in DATA_DIR.
      expect((await http(second.api, 'GET', '/auth/me', { token: alice.token })).status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(postgresProcessesUsing(dataDir)).toEqual([]);
  }, 240_000);
  it('writes one JSON access-log line per request with its request id, and none for /health probes', async () => {
    const server = await spawnServer({ LOG_LEVEL: 'info' });
    try {
      await fetch(`${server.origin}/health`);
      const res = await fetch(`${server.api}/rooms/me`, { headers: { 'x-request-id': 'access-log-check-1' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-request-id')).toBe('access-log-check-1');
      const entries = () =>
        server
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((entry) => entry.msg === 'request completed');
      for (let i = 0; i < 50 && !entries().some((e) => e.request_id === 'access-log-check-1'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(entries().find((e) => e.request_id === 'access-log-check-1')).toMatchObject({
        level: 30,
        method: 'GET',
        url: '/api/v1/rooms/me',
        status_code: 401,
        response_time_ms: expect.any(Number),
      });
      expect(entries().filter((e) => String(e.url).startsWith('/health'))).toEqual([]);
      // The bearer token of a request is never logged.
      expect(server.output()).not.toMatch(/authorization/i);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
