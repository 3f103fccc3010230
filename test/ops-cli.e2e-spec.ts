import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { startTestApp, TestApp } from './helpers/app';
import { CliResult, runCli } from './helpers/cli';
import { expectError, http, registerUser, unique } from './helpers/http';
import { spawnServer, ServerProcess } from './helpers/server-process';
import { connectAuthed, WsTestClient } from './helpers/ws-client';

const ROOT = resolve(__dirname, '..');

/** Expects a failed command: non-zero status and exactly one `error: …` sentence on stderr. */
function expectFailure(result: CliResult, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: [^\n]+\.$/);
  expect(lines[0]).toMatch(pattern);
}

async function login(api: string, username: string, password: string) {
  return http(api, 'POST', '/auth/login', { body: { login: username, password } });
}

/** A postgres process is still running on this data directory. */
function postgresRunningOn(dataDir: string): boolean {
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  // The CLI is tested as shipped: package.json's `bin` launcher running the compiled dist/.
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'pipe' });
}, 240_000);

describe('chat-server CLI against DATABASE_URL with a server running (e2e)', () => {
  let t: TestApp;
  const sockets: WsTestClient[] = [];
  beforeAll(async () => {
    t = await startTestApp({ REGISTRATION: 'invite' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t.close();
  });

  it('prints help for every command and exits 0; an unknown command or argument exits non-zero', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['start', 'migrate', 'users', 'invites', 'config', 'prune']) expect(help.stdout).toContain(command);
    expect(help.stdout).toMatch(/^Usage: chat-server/);
    for (const args of [['users', 'create', '--help'], ['invites', 'create', '--help'], ['start', '--help']]) {
      const sub = await runCli(args);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toContain('--config');
    }
    expect((await runCli(['frobnicate'])).code).not.toBe(0);
    expectFailure(await runCli(['migrate', 'sideways']), /migrate needs up, down or status/);
    expect((await runCli(['users', 'create', '--username', 'x'])).code).not.toBe(0);
    expect((await runCli(['users'])).code).not.toBe(0);
  }, 120_000);

  it('creates, lists, promotes, demotes, and refuses bad input with one sentence', async () => {
    const username = unique('cli');
    const created = await runCli(['users', 'create', '--username', username, '--email', `${username}@example.org`, '--password-stdin', '--admin'], {
      stdin: 'a perfectly fine passphrase\n',
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^created ${username} \\(server admin\\)`));
    expect(created.stdout).not.toContain('password:');
    expect((await login(t.api, username, 'a perfectly fine passphrase')).status).toBe(200);

    expectFailure(
      await runCli(['users', 'create', '--username', username, '--email', `other-${username}@example.org`, '--password-stdin'], { stdin: 'another fine passphrase' }),
      /username is already taken/,
    );
    expectFailure(await runCli(['users', 'create', '--username', unique('cli'), '--email', `${unique('e')}@example.org`, '--password-stdin'], { stdin: 'password' }), /most common passwords/);

    // Without --password-stdin a random password is printed once, and it works.
    const other = unique('cli');
    const generated = await runCli(['users', 'create', '--username', other, '--email', `${other}@example.org`]);
    expect(generated.code).toBe(0);
    const password = /password: (\S+)/.exec(generated.stdout)![1]!;
    expect((await login(t.api, other, password)).status).toBe(200);

    const listed = await runCli(['users', 'list', '--query', username]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^USERNAME\s+EMAIL\s+ADMIN\s+DISABLED\s+LAST SEEN\s+CREATED$/);
    expect(listed.stdout).toMatch(new RegExp(`${username}\\s+${username}@example.org\\s+yes\\s+no`));
    expect(listed.stdout).not.toContain(other);

    expect((await runCli(['users', 'demote', username.toUpperCase()])).stdout).toContain('is no longer a server admin');
    expect((await runCli(['users', 'list', '--query', username])).stdout).toMatch(new RegExp(`${username}\\s+\\S+\\s+no\\s+no`));
    expect((await runCli(['users', 'promote', username])).stdout).toContain('is now a server admin');
    expectFailure(await runCli(['users', 'promote', 'nobody-has-this-name']), /No user named "nobody-has-this-name"/);
  }, 120_000);

  it('disable closes the live socket with 4401 within 1 s, refuses login (403 ACCOUNT_DISABLED) and refresh; enable lets the user in again', async () => {
    const user = await registerUserWithInvite(t);
    const ws = await connectAuthed(t.wsUrl, user.token);
    sockets.push(ws);
    const disabled = await runCli(['users', 'disable', user.username]);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(/disabled .*; 1 session\(s\) revoked/);
    const closed = await ws.closed;
    expect(closed.code).toBe(4401);
    expect(Date.now() - disabled.exitedAt).toBeLessThan(1000);

    expectError(await login(t.api, user.username, user.password), 403, 'ACCOUNT_DISABLED');
    expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: user.refreshToken } }), 401);
    expectError(await http(t.api, 'GET', '/auth/me', { token: user.token }), 401, 'TOKEN_REVOKED');
    // A wrong password still says INVALID_CREDENTIALS: disabled state is only told to the owner.
    expectError(await login(t.api, user.username, 'not the password at all'), 401, 'INVALID_CREDENTIALS');
    expect((await runCli(['users', 'list', '--disabled', '--query', user.username])).stdout).toContain(user.username);

    expect((await runCli(['users', 'enable', user.username])).code).toBe(0);
    expect((await login(t.api, user.username, user.password)).status).toBe(200);
    expect((await runCli(['users', 'list', '--disabled', '--query', user.username])).stdout).not.toContain(user.username);
  }, 60_000);

  it('set-password revokes every session and closes live sockets; the new password works', async () => {
    const user = await registerUserWithInvite(t);
    const second = await login(t.api, user.username, user.password);
    const ws = await connectAuthed(t.wsUrl, second.body.access_token);
    sockets.push(ws);
    expectFailure(await runCli(['users', 'set-password', user.username, '--password-stdin'], { stdin: 'short' }), /^error: password /);
    const changed = await runCli(['users', 'set-password', user.username, '--password-stdin'], { stdin: 'the brand new passphrase' });
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('2 session(s) revoked');
    expect((await ws.closed).code).toBe(4401);
    expectError(await http(t.api, 'GET', '/auth/me', { token: user.token }), 401, 'TOKEN_REVOKED');
    expectError(await login(t.api, user.username, user.password), 401, 'INVALID_CREDENTIALS');
    expect((await login(t.api, user.username, 'the brand new passphrase')).status).toBe(200);
  }, 60_000);

  it('invite mode: codes from the CLI admit as many registrations as their uses, not after expiry or revocation', async () => {
    const body = () => ({ username: unique('inv'), email: `${unique('inv')}@example.org`, password: 'correct horse battery' });
    expectError(await http(t.api, 'POST', '/auth/register', { body: body() }), 403, 'INVITE_REQUIRED');
    expectError(await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: 'no-such-code' } }), 403, 'INVITE_INVALID');

    const created = await runCli(['invites', 'create', '--uses', '2', '--expires', '1h']);
    expect(created.code).toBe(0);
    const code = created.stdout.trim();
    expect(code).toMatch(/^[A-Za-z0-9_-]{12}$/);
    // A registration that fails (taken username) does not use up the invite.
    const taken = await registerUserWithInvite(t);
    expectError(await http(t.api, 'POST', '/auth/register', { body: { ...body(), username: taken.username, invite_code: code } }), 409, 'USERNAME_TAKEN');
    expect((await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: code } })).status).toBe(201);
    expect((await runCli(['invites', 'list'])).stdout).toMatch(new RegExp(`${code}\\s+1\\s+2\\s+\\S+\\s+active`));
    expect((await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: code } })).status).toBe(201);
    expectError(await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: code } }), 403, 'INVITE_INVALID');
    expect((await runCli(['invites', 'list'])).stdout).toMatch(new RegExp(`${code}\\s+0\\s+2\\s+\\S+\\s+used up`));

    // Expiry (moved into the past directly: the shortest CLI lifetime is a minute).
    const expiring = (await runCli(['invites', 'create', '--expires', '30m'])).stdout.trim();
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    await db.query(`UPDATE invites SET expires_at = now() - interval '1 second' WHERE code = $1`, [expiring]);
    await db.end();
    expectError(await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: expiring } }), 403, 'INVITE_INVALID');
    expect((await runCli(['invites', 'list'])).stdout).toMatch(new RegExp(`${expiring}\\s+1\\s+1\\s+\\S+\\s+expired`));

    const revoked = (await runCli(['invites', 'create'])).stdout.trim();
    expect((await runCli(['invites', 'revoke', revoked])).code).toBe(0);
    expectError(await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: revoked } }), 403, 'INVITE_INVALID');
    expect((await runCli(['invites', 'list'])).stdout).not.toContain(revoked);
    expectFailure(await runCli(['invites', 'revoke', revoked]), /No live invite has the code/);
    expectFailure(await runCli(['invites', 'create', '--uses', '0']), /--uses must be an integer between 1 and 10000/);
    expectFailure(await runCli(['invites', 'create', '--expires', 'soon']), /--expires must be a duration/);
  }, 120_000);

  it('prune reports what it deleted', async () => {
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    await db.query(`INSERT INTO revoked_tokens (id, kind, user_id, expires_at) VALUES (gen_random_uuid(), 'jti', NULL, now() - interval '1 minute')`);
    await db.end();
    const pruned = await runCli(['prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^expired revocations: [1-9]\d*\nused refresh tokens: \d+\nunattached uploads: \d+\n$/);
  }, 60_000);

  it('writes an audit row for every CLI action', async () => {
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    const { rows } = await db.query(`SELECT DISTINCT action FROM audit_log WHERE actor LIKE 'cli%'`);
    await db.end();
    expect(rows.map((r) => r.action).sort()).toEqual(
      expect.arrayContaining(['invite.create', 'invite.revoke', 'prune', 'user.create', 'user.demote', 'user.disable', 'user.enable', 'user.promote', 'user.set_password']),
    );
  });
});

/** Registers through an invite code made directly (the suite's app runs REGISTRATION=invite). */
async function registerUserWithInvite(t: TestApp) {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const code = unique('code').slice(0, 60);
  await db.query(`INSERT INTO invites (code, uses_total, uses_left) VALUES ($1, 1, 1)`, [code]);
  await db.end();
  const username = unique('u');
  const password = 'correct horse battery';
  const res = await http(t.api, 'POST', '/auth/register', { body: { username, email: `${username}@example.org`, password, invite_code: code } });
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, username, password, token: res.body.access_token as string, refreshToken: res.body.refresh_token as string };
}

describe('registration modes and ADMIN_USERNAMES (e2e)', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('closed refuses every registration, open needs no code, ADMIN_USERNAMES promotes at start', async () => {
    const closed = await startTestApp({ REGISTRATION: 'closed' });
    apps.push(closed);
    const body = { username: unique('c'), email: `${unique('c')}@example.org`, password: 'correct horse battery' };
    expectError(await http(closed.api, 'POST', '/auth/register', { body }), 403, 'REGISTRATION_CLOSED');
    expectError(await http(closed.api, 'POST', '/auth/register', { body: { ...body, invite_code: 'anything' } }), 403, 'REGISTRATION_CLOSED');

    const open = await startTestApp({ REGISTRATION: 'open' });
    apps.push(open);
    const user = await registerUser(open.api);
    const promoted = await startTestApp({ ADMIN_USERNAMES: `Nobody-yet,${user.username.toUpperCase()}` });
    apps.push(promoted);
    const listed = await runCli(['users', 'list', '--query', user.username]);
    expect(listed.stdout).toMatch(new RegExp(`${user.username}\\s+\\S+\\s+yes`));
  }, 90_000);
});

describe('chat-server config check (e2e)', () => {
  it('prints the effective configuration with sources and masked secrets, and names the source of a bad value', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'chat-cli-config-'));
    writeFileSync(join(cwd, 'config.yaml'), 'port: 4321\ndatabase:\n  url: postgres://chat:hunter22@db.internal:5432/chat\nws:\n  messages_burst: 40\n');
    writeFileSync(join(cwd, '.env'), 'WS_MESSAGES_BURST=50\nMETRICS_TOKEN=0123456789abcdef0123456789abcdef\n');
    const ok = await runCli(['config', 'check'], { cwd, cleanEnv: true, env: { HOST: '0.0.0.0' } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^PORT +=.* 4321 +\[config\.yaml \(port\)\]$/m);
    expect(ok.stdout).toMatch(/^HOST +=.* 0\.0\.0\.0 +\[the environment\]$/m);
    expect(ok.stdout).toMatch(/^WS_MESSAGES_BURST +=.* 50 +\[\.env\]$/m);
    expect(ok.stdout).toMatch(/^RATE_LIMIT_PER_MINUTE +=.* 120 +\[default\]$/m);
    expect(ok.stdout).toContain('postgres://chat:*****@db.internal:5432/chat');
    expect(ok.stdout).not.toContain('hunter22');
    expect(ok.stdout).not.toContain('0123456789abcdef0123456789abcdef');
    expect(ok.stdout).toContain('WS_MESSAGES_BURST from config.yaml (ws.messages_burst) is overridden by .env.');

    writeFileSync(join(cwd, 'config.yaml'), 'port: 99999\n');
    expectFailure(await runCli(['config', 'check'], { cwd, cleanEnv: true }), /^error: Configuration error: PORT from config\.yaml \(port\): must be an integer between 0 and 65535, got "99999"\.$/);
    // Hidden by the environment today, still reported.
    expectFailure(await runCli(['config', 'check'], { cwd, cleanEnv: true, env: { PORT: '4000' } }), /PORT from config\.yaml \(port\)/);
    writeFileSync(join(cwd, 'other.yaml'), 'registration: maybe\n');
    expectFailure(await runCli(['config', 'check', '--config', 'other.yaml'], { cwd, cleanEnv: true }), /REGISTRATION from other\.yaml \(registration\): must be one of open, invite, closed/);
    writeFileSync(join(cwd, 'config.yaml'), 'port: [\n');
    expectFailure(await runCli(['config', 'check'], { cwd, cleanEnv: true }), /config\.yaml line \d+ is not valid YAML/);
    expectFailure(await runCli(['config', 'check', '--config', 'missing.yaml'], { cwd, cleanEnv: true }), /missing\.yaml cannot be read/);
    // The server refuses to start with the same sentence.
    const start = await runCli(['start'], { cwd, cleanEnv: true });
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/Configuration error: .*config\.yaml line \d+ is not valid YAML/);
  }, 60_000);
});

describe('chat-server CLI on the embedded PostgreSQL (e2e)', () => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('without a server: starts the embedded database for the command and stops it; migrate status, down and up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-cli-embedded-'));
    const env = { DATABASE_URL: '', DATA_DIR: dataDir };
    const up = await runCli(['migrate', 'up'], { env });
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^applied: InitialSchema\d+, .*Administration\d+/);
    expect(postgresRunningOn(dataDir)).toBe(false);
    const status = await runCli(['migrate', 'status'], { env });
    expect(status.stdout).toMatch(/Administration\d+\s+applied/);
    const down = await runCli(['migrate', 'down'], { env });
    expect(down.stdout).toMatch(/^reverted: \w+\d+$/m);
    expect((await runCli(['migrate', 'status'], { env })).stdout).toMatch(/pending/);
    expect((await runCli(['migrate', 'up'], { env })).stdout).toMatch(/^applied: /);
    expect((await runCli(['migrate', 'up'], { env })).stdout).toBe('no pending migrations\n');
    const created = await runCli(['users', 'create', '--username', 'operator', '--email', 'operator@example.org', '--admin'], { env });
    expect(created.code).toBe(0);
    expect(postgresRunningOn(dataDir)).toBe(false);
  }, 180_000);

  it('with the server running on the same DATA_DIR: shares its database, and a disable closes the socket with 4401', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-cli-shared-'));
    const env = { DATABASE_URL: '', DATA_DIR: dataDir };
    server = await spawnServer(env, 90_000);
    const created = await runCli(['users', 'create', '--username', 'carol', '--email', 'carol@example.org', '--password-stdin'], { env, stdin: 'carols passphrase here' });
    expect(created.code).toBe(0);
    const session = await login(server.api, 'carol', 'carols passphrase here');
    expect(session.status).toBe(200);
    const ws = await connectAuthed(server.wsUrl, session.body.access_token);
    const disabled = await runCli(['users', 'disable', 'carol'], { env });
    expect(disabled.code).toBe(0);
    expect((await ws.closed).code).toBe(4401);
    expect(Date.now() - disabled.exitedAt).toBeLessThan(1000);
    expectError(await login(server.api, 'carol', 'carols passphrase here'), 403, 'ACCOUNT_DISABLED');
    // The server's database was used, not stopped.
    expect((await fetch(`${server.origin}/health/ready`)).status).toBe(200);
    expect(postgresRunningOn(dataDir)).toBe(true);
    expect(await server.stop()).toBe(0);
  }, 180_000);
});
