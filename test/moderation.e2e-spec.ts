import { useAdminSuite } from './helpers/admin';
import { runCli } from './helpers/cli';
import { sql } from './helpers/db';
import { createRoom, expectError, http, registerUser, sendText, TestUser } from './helpers/http';

describe('moderation: password reset, reports, admin deletes, rooms list, deactivated profiles (e2e)', () => {
  const { t, ws, admin, member } = useAdminSuite();


  /** Audit rows (newest first) whose target is `target`. */
  async function auditOf(target: string): Promise<{ actor: string; action: string; target: string; details: Record<string, unknown> }[]> {
    const res = await http(t.api, 'GET', '/admin/audit?limit=100', { token: admin.token });
    expect(res.status).toBe(200);
    return res.body.items.filter((r: { target: string }) => r.target === target);
  }

  const someId = '00000000-0000-4000-8000-000000000001';
  const adminRoutes: [string, string, unknown?][] = [
    ['POST', `/admin/users/${someId}/password-reset`],
    ['GET', '/admin/reports'],
    ['POST', `/admin/reports/${someId}/resolve`, { action: 'dismiss' }],
    ['GET', '/admin/rooms'],
    ['DELETE', `/admin/rooms/${someId}`],
    ['DELETE', `/admin/messages/${someId}`],
  ];

  it('refuses every new admin route to anonymous callers (401) and to non-admins (403)', async () => {
    for (const [method, path, body] of adminRoutes) {
      expectError(await http(t.api, method, path, { body }), 401);
      expectError(await http(t.api, method, path, { token: member.token, body }), 403, 'FORBIDDEN');
    }
  });

  describe('password reset', () => {
    it('issues a one-time token; using it sets the password, kills every old session and live socket, and is audited', async () => {
      const user = await registerUser(t.api);
      const second = await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: user.password } });
      const socket = await ws(user);

      const issued = await http(t.api, 'POST', `/admin/users/${user.id}/password-reset`, { token: admin.token });
      expect(issued.status).toBe(200);
      expect(Object.keys(issued.body).sort()).toEqual(['expires_at', 'reset_token']);
      const ttlMs = new Date(issued.body.expires_at).getTime() - Date.now();
      expect(ttlMs).toBeGreaterThan(23.9 * 3600_000);
      expect(ttlMs).toBeLessThanOrEqual(24 * 3600_000);
      // Only the hash is stored.
      expect(await sql(`SELECT 1 FROM password_resets WHERE token_hash = $1`, [issued.body.reset_token])).toHaveLength(0);
      // Issuing changes nothing yet: the old password and sessions still work.
      expect((await http(t.api, 'GET', '/auth/me', { token: user.token })).status).toBe(200);

      // The password policy applies, and a refused attempt does not use the token up.
      expectError(await http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: issued.body.reset_token, new_password: 'short' } }), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: issued.body.reset_token, new_password: 'password123' } }), 400, 'VALIDATION_FAILED');

      const reset = await http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: issued.body.reset_token, new_password: 'a brand new passphrase' } });
      expect(reset.status).toBe(200);
      expect(reset.body).toEqual({ reset: true });

      expect((await socket.closed).code).toBe(4401);
      expectError(await http(t.api, 'GET', '/auth/me', { token: user.token }), 401);
      expectError(await http(t.api, 'GET', '/auth/me', { token: second.body.access_token }), 401);
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: user.refreshToken } }), 401);
      expectError(await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: user.password } }), 401, 'INVALID_CREDENTIALS');
      expect((await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: 'a brand new passphrase' } })).status).toBe(200);

      // One use only.
      expectError(
        await http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: issued.body.reset_token, new_password: 'yet another passphrase' } }),
        400,
        'RESET_TOKEN_INVALID',
      );
      const rows = await auditOf(user.username);
      expect(rows.map((r) => r.action)).toEqual(['user.password_reset.redeem', 'user.password_reset']);
      expect(rows[1]!.actor).toBe(`user:${admin.id}`);
      expect(rows[0]!.actor).toBe(`user:${user.id}`);
    });

    it('refuses garbage, expired and superseded tokens with 400 and changes nothing', async () => {
      const user = await registerUser(t.api);
      const attempt = (token: unknown) => http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: token, new_password: 'a brand new passphrase' } });
      expectError(await attempt('not-a-token'), 400, 'RESET_TOKEN_INVALID');
      expectError(await attempt(''), 400, 'VALIDATION_FAILED');
      expectError(await attempt(42), 400, 'VALIDATION_FAILED');
      expectError(await attempt('x'.repeat(300)), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: 'abc' } }), 400, 'VALIDATION_FAILED');

      const first = await http(t.api, 'POST', `/admin/users/${user.id}/password-reset`, { token: admin.token });
      const second = await http(t.api, 'POST', `/admin/users/${user.id}/password-reset`, { token: admin.token });
      // A newer token retires the older one.
      expectError(await attempt(first.body.reset_token), 400, 'RESET_TOKEN_INVALID');
      await sql(`UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
      expectError(await attempt(second.body.reset_token), 400, 'RESET_TOKEN_INVALID');
      // Nothing changed: the old session and password still work.
      expect((await http(t.api, 'GET', '/auth/me', { token: user.token })).status).toBe(200);
      expect((await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: user.password } })).status).toBe(200);

      expectError(await http(t.api, 'POST', `/admin/users/${someId}/password-reset`, { token: admin.token }), 404, 'USER_NOT_FOUND');
      expectError(await http(t.api, 'POST', '/admin/users/not-a-uuid/password-reset', { token: admin.token }), 400, 'VALIDATION_FAILED');
    });

    it('two concurrent redemptions of one token: exactly one wins, the other is 400 and changes nothing', async () => {
      const user = await registerUser(t.api);
      const issued = await http(t.api, 'POST', `/admin/users/${user.id}/password-reset`, { token: admin.token });
      const redeem = (password: string) => http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: issued.body.reset_token, new_password: password } });
      const results = await Promise.all([redeem('first racing passphrase'), redeem('second racing passphrase')]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
      const winner = results[0]!.status === 200 ? 'first racing passphrase' : 'second racing passphrase';
      const loser = winner.startsWith('first') ? 'second racing passphrase' : 'first racing passphrase';
      expect(results.find((r) => r.status === 400)!.body.code).toBe('RESET_TOKEN_INVALID');
      expect((await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: winner } })).status).toBe(200);
      expectError(await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: loser } }), 401, 'INVALID_CREDENTIALS');
    });

    it('does not re-enable a disabled account', async () => {
      const user = await registerUser(t.api);
      await http(t.api, 'POST', `/admin/users/${user.id}/disable`, { token: admin.token });
      const issued = await http(t.api, 'POST', `/admin/users/${user.id}/password-reset`, { token: admin.token });
      expect(
        (await http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: issued.body.reset_token, new_password: 'a brand new passphrase' } })).status,
      ).toBe(200);
      expectError(await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: 'a brand new passphrase' } }), 403, 'ACCOUNT_DISABLED');
    });
  });

  describe('reports', () => {
    it('a member reports a message once; admins see it with context and resolve it by each action, audited', async () => {
      const owner = await registerUser(t.api);
      const spammer = await registerUser(t.api);
      const reporter = await registerUser(t.api);
      const room = await createRoom(t.api, owner);
      for (const u of [spammer, reporter]) expect((await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: u.token })).status).toBe(200);
      const before1 = await sendText(t.api, owner, room.id, 'hello');
      const before2 = await sendText(t.api, reporter, room.id, 'hi all');
      const bad1 = await sendText(t.api, spammer, room.id, 'buy cheap stuff');
      const after1 = await sendText(t.api, owner, room.id, 'please no');
      const bad2 = await sendText(t.api, spammer, room.id, 'buy more');
      const watcher = await ws(owner);

      const created = await http(t.api, 'POST', `/messages/${bad1.id}/report`, { token: reporter.token, body: { reason: '  spam link  ' } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), status: 'open' });
      expectError(await http(t.api, 'POST', `/messages/${bad1.id}/report`, { token: reporter.token, body: { reason: 'again' } }), 409, 'ALREADY_REPORTED');
      // Another member may report the same message too.
      const byOwner = await http(t.api, 'POST', `/messages/${bad1.id}/report`, { token: owner.token, body: { reason: 'agreed' } });
      expect(byOwner.status).toBe(201);

      const open = await http(t.api, 'GET', '/admin/reports?status=open&limit=100', { token: admin.token });
      expect(open.status).toBe(200);
      const item = open.body.items.find((r: { id: string }) => r.id === created.body.id);
      expect(item).toMatchObject({
        status: 'open',
        reason: 'spam link',
        reporter: { id: reporter.id, username: reporter.username, deactivated: false },
        message: { id: bad1.id, content: 'buy cheap stuff', sender: { id: spammer.id } },
        resolution: null,
        resolved_by: null,
        resolved_at: null,
      });
      expect(item.context.map((m: { id: string }) => m.id)).toEqual([before1.id, before2.id, after1.id, bad2.id]);
      // Default status is open.
      expect((await http(t.api, 'GET', '/admin/reports?limit=100', { token: admin.token })).body.items.some((r: { id: string }) => r.id === created.body.id)).toBe(true);

      // dismiss: the report is resolved, the message stays.
      const dismissed = await http(t.api, 'POST', `/admin/reports/${byOwner.body.id}/resolve`, { token: admin.token, body: { action: 'dismiss' } });
      expect(dismissed.status).toBe(200);
      expect(dismissed.body).toMatchObject({ id: byOwner.body.id, status: 'resolved', resolution: 'dismiss', resolved_by: admin.id, message: { content: 'buy cheap stuff' } });
      expect(dismissed.body.resolved_at).toEqual(expect.any(String));
      expectError(await http(t.api, 'POST', `/admin/reports/${byOwner.body.id}/resolve`, { token: admin.token, body: { action: 'dismiss' } }), 409, 'REPORT_ALREADY_RESOLVED');

      // delete_message: a tombstone deleted by the admin, members told live.
      const deleted = await http(t.api, 'POST', `/admin/reports/${created.body.id}/resolve`, { token: admin.token, body: { action: 'delete_message' } });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ status: 'resolved', resolution: 'delete_message', message: { id: bad1.id, content: null, deleted_by: admin.id } });
      const live = await watcher.next((f) => f.type === 'delete_message' && f.payload.id === bad1.id);
      expect(live.payload).toMatchObject({ content: null, deleted_by: admin.id });
      expectError(await http(t.api, 'POST', `/messages/${bad1.id}/report`, { token: owner.token, body: { reason: 'gone now' } }), 404, 'MESSAGE_NOT_FOUND');

      // disable_sender: the sender's account is disabled; the other open report of that message is resolved with it.
      const spamSocket = await ws(spammer);
      const r2 = await http(t.api, 'POST', `/messages/${bad2.id}/report`, { token: reporter.token, body: { reason: 'more spam' } });
      const r2b = await http(t.api, 'POST', `/messages/${bad2.id}/report`, { token: owner.token, body: { reason: 'still spam' } });
      const disabled = await http(t.api, 'POST', `/admin/reports/${r2.body.id}/resolve`, { token: admin.token, body: { action: 'disable_sender' } });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ status: 'resolved', resolution: 'disable_sender', message: { id: bad2.id, sender: { id: spammer.id, deactivated: true } } });
      expect((await spamSocket.closed).code).toBe(4401);
      expectError(await http(t.api, 'POST', '/auth/login', { body: { login: spammer.username, password: spammer.password } }), 403, 'ACCOUNT_DISABLED');
      expectError(await http(t.api, 'POST', `/admin/reports/${r2b.body.id}/resolve`, { token: admin.token, body: { action: 'dismiss' } }), 409, 'REPORT_ALREADY_RESOLVED');

      const resolved = await http(t.api, 'GET', '/admin/reports?status=resolved&limit=100', { token: admin.token });
      const resolvedIds = resolved.body.items.map((r: { id: string }) => r.id);
      expect(resolvedIds).toEqual(expect.arrayContaining([created.body.id, byOwner.body.id, r2.body.id, r2b.body.id]));
      const stillOpen = await http(t.api, 'GET', '/admin/reports?status=open&limit=100', { token: admin.token });
      expect(stillOpen.body.items.map((r: { id: string }) => r.id)).not.toEqual(expect.arrayContaining([created.body.id]));
      expect(resolved.body.items.find((r: { id: string }) => r.id === r2b.body.id)).toMatchObject({ resolution: 'disable_sender', resolved_by: admin.id });

      expect((await auditOf(created.body.id)).map((r) => [r.action, r.details.action])).toEqual([['report.resolve', 'delete_message']]);
      expect((await auditOf(byOwner.body.id)).map((r) => [r.action, r.details.action])).toEqual([['report.resolve', 'dismiss']]);
      expect((await auditOf(r2.body.id)).map((r) => [r.action, r.details.action])).toEqual([['report.resolve', 'disable_sender']]);
      expect((await auditOf(bad1.id)).map((r) => r.action)).toEqual(['message.delete']);
      expect((await auditOf(spammer.username)).map((r) => [r.action, r.actor])).toEqual([['user.disable', `user:${admin.id}`]]);
    });

    it('refuses reports of messages the caller cannot see, of their own messages, and bad reasons, changing nothing', async () => {
      const owner = await registerUser(t.api);
      const outsider = await registerUser(t.api);
      const priv = await createRoom(t.api, owner, 'private');
      const hidden = await sendText(t.api, owner, priv.id, 'private words');
      const pub = await createRoom(t.api, owner, 'public');
      const visibleMsg = await sendText(t.api, owner, pub.id, 'public words');

      const report = (user: TestUser, id: string, body: unknown) => http(t.api, 'POST', `/messages/${id}/report`, { token: user.token, body });
      expectError(await report(outsider, hidden.id, { reason: 'x' }), 404, 'MESSAGE_NOT_FOUND');
      // A public room not joined: not a member, so not visible either.
      expectError(await report(outsider, visibleMsg.id, { reason: 'x' }), 404, 'MESSAGE_NOT_FOUND');
      expectError(await report(owner, visibleMsg.id, { reason: 'x' }), 422, 'BUSINESS_RULE');
      expectError(await report(owner, someId, { reason: 'x' }), 404, 'MESSAGE_NOT_FOUND');
      expectError(await report(owner, 'nope', { reason: 'x' }), 400, 'VALIDATION_FAILED');
      await http(t.api, 'POST', `/rooms/${pub.id}/join`, { token: outsider.token });
      for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 5 }, { reason: 'ok', extra: 1 }, { reason: 'a\u0000b' }]) {
        expectError(await report(outsider, visibleMsg.id, body), 400, 'VALIDATION_FAILED');
      }
      expectError(await http(t.api, 'POST', `/messages/${visibleMsg.id}/report`, { body: { reason: 'x' } }), 401);
      expect(await sql(`SELECT 1 FROM reports WHERE message_id = ANY($1::uuid[])`, [[hidden.id, visibleMsg.id]])).toHaveLength(0);
      // 500 characters is the limit, inclusive.
      expect((await report(outsider, visibleMsg.id, { reason: 'x'.repeat(500) })).status).toBe(201);

      expectError(await http(t.api, 'GET', '/admin/reports?status=closed', { token: admin.token }), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'GET', '/admin/reports?limit=0', { token: admin.token }), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'GET', '/admin/reports?cursor=bogus', { token: admin.token }), 400, 'INVALID_CURSOR');
      expectError(await http(t.api, 'POST', `/admin/reports/${someId}/resolve`, { token: admin.token, body: { action: 'dismiss' } }), 404, 'REPORT_NOT_FOUND');
      expectError(await http(t.api, 'POST', '/admin/reports/nope/resolve', { token: admin.token, body: { action: 'dismiss' } }), 400, 'VALIDATION_FAILED');
      const [row] = await sql<{ id: string }>(`SELECT id FROM reports WHERE message_id = $1`, [visibleMsg.id]);
      for (const body of [{}, { action: 'ban' }, { action: null }, { action: 'dismiss', extra: true }]) {
        expectError(await http(t.api, 'POST', `/admin/reports/${row!.id}/resolve`, { token: admin.token, body }), 400, 'VALIDATION_FAILED');
      }
      expect(await sql(`SELECT 1 FROM reports WHERE id = $1 AND status = 'open'`, [row!.id])).toHaveLength(1);
    });

    it('pages the queue with a cursor, newest first', async () => {
      const owner = await registerUser(t.api);
      const reporter = await registerUser(t.api);
      const room = await createRoom(t.api, owner);
      await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: reporter.token });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = await sendText(t.api, owner, room.id, `message ${i}`);
        ids.unshift((await http(t.api, 'POST', `/messages/${m.id}/report`, { token: reporter.token, body: { reason: `r${i}` } })).body.id);
      }
      const first = await http(t.api, 'GET', '/admin/reports?limit=2', { token: admin.token });
      expect(first.body.items.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
      const second = await http(t.api, 'GET', `/admin/reports?limit=2&cursor=${first.body.next_cursor}`, { token: admin.token });
      expect(second.body.items[0].id).toBe(ids[2]);
    });
  });

  describe('content administration', () => {
    it('an admin deletes any message: the tombstone reaches members live, deleted_by is recorded, and it is audited', async () => {
      const owner = await registerUser(t.api);
      const other = await registerUser(t.api);
      const room = await createRoom(t.api, owner, 'private');
      await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body: { user_ids: [other.id] } });
      const message = await sendText(t.api, owner, room.id, 'something regrettable');
      const own = await sendText(t.api, other, room.id, 'my own words');
      const socket = await ws(other);

      const res = await http(t.api, 'DELETE', `/admin/messages/${message.id}`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: message.id, seq: message.seq, content: null, attachments: [], deleted_by: admin.id });
      expect(res.body.deleted_at).toEqual(expect.any(String));
      const live = await socket.next((f) => f.type === 'delete_message' && f.payload.id === message.id);
      expect(live.payload).toMatchObject({ content: null, deleted_by: admin.id });

      // Sync shows the same tombstone; the sender's own delete records the sender.
      const sync = await socket.request('sync', { rooms: { [room.id]: 0 } });
      expect(sync.type).toBe('sync_result');
      const synced = sync.payload.rooms.find((r: { room_id: string }) => r.room_id === room.id).messages;
      expect(synced.find((m: { id: string }) => m.id === message.id)).toMatchObject({ content: null, deleted_by: admin.id });
      const mine = await http(t.api, 'DELETE', `/messages/${own.id}`, { token: other.token });
      expect(mine.body.deleted_by).toBe(other.id);
      const history = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: owner.token });
      expect(history.body.items.every((m: { deleted_by: string | null }) => m.deleted_by === null)).toBe(true);

      // Again: the tombstone unchanged, no second event.
      const again = await http(t.api, 'DELETE', `/admin/messages/${message.id}`, { token: admin.token });
      expect(again.status).toBe(200);
      expect(again.body.updated_seq).toBe(res.body.updated_seq);
      expect((await auditOf(message.id)).map((r) => [r.action, r.actor, r.details.already_deleted])).toEqual([
        ['message.delete', `user:${admin.id}`, true],
        ['message.delete', `user:${admin.id}`, false],
      ]);
      // System lines are read-only for server admins too.
      const line = history.body.items.find((m: { type: string }) => m.type === 'system');
      expect(line).toMatchObject({ system: { event: 'member_joined', user_id: other.id } });
      expectError(await http(t.api, 'DELETE', `/admin/messages/${line.id}`, { token: admin.token }), 422, 'BUSINESS_RULE');
      expect((await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: owner.token })).body.items.map((m: { id: string }) => m.id)).toContain(line.id);
      expectError(await http(t.api, 'DELETE', `/admin/messages/${someId}`, { token: admin.token }), 404, 'MESSAGE_NOT_FOUND');
      expectError(await http(t.api, 'DELETE', '/admin/messages/nope', { token: admin.token }), 400, 'VALIDATION_FAILED');
    });

    it('lists every room with member and message counts, searches and pages them', async () => {
      const owner = await registerUser(t.api);
      const other = await registerUser(t.api);
      const tag = `adm${Date.now().toString(36)}`;
      const a = await createRoom(t.api, owner, 'private', `${tag}-a`);
      const b = await createRoom(t.api, owner, 'public', `${tag}-b`);
      await http(t.api, 'POST', `/rooms/${b.id}/join`, { token: other.token });
      await sendText(t.api, owner, b.id, 'one');
      const two = await sendText(t.api, other, b.id, 'two');
      await sendText(t.api, owner, b.id, 'three');
      await http(t.api, 'DELETE', `/messages/${two.id}`, { token: other.token });

      const res = await http(t.api, 'GET', `/admin/rooms?q=${tag}`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body.next_cursor).toBeNull();
      expect(res.body.items).toEqual([
        {
          id: b.id,
          type: 'public',
          name: `${tag}-b`,
          owner_id: owner.id,
          member_count: 2,
          message_count: 2,
          last_activity_at: expect.any(String),
          created_at: expect.any(String),
        },
        expect.objectContaining({ id: a.id, type: 'private', member_count: 1, message_count: 0 }),
      ]);
      const page1 = await http(t.api, 'GET', `/admin/rooms?q=${tag}&limit=1`, { token: admin.token });
      expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual([b.id]);
      const page2 = await http(t.api, 'GET', `/admin/rooms?q=${tag}&limit=1&cursor=${page1.body.next_cursor}`, { token: admin.token });
      expect(page2.body).toEqual({ items: [expect.objectContaining({ id: a.id })], next_cursor: null });
      // DMs are listed too (the admin sees rooms they are not in).
      const dm = await http(t.api, 'POST', '/dm', { token: owner.token, body: { recipient_id: other.id } });
      const all = await http(t.api, 'GET', '/admin/rooms?limit=100', { token: admin.token });
      expect(all.body.items.find((r: { id: string }) => r.id === dm.body.id)).toMatchObject({ type: 'dm', name: null, member_count: 2 });
      expectError(await http(t.api, 'GET', '/admin/rooms?limit=101', { token: admin.token }), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'GET', '/admin/rooms?cursor=bogus', { token: admin.token }), 400, 'INVALID_CURSOR');
      expectError(await http(t.api, 'GET', `/admin/rooms?q=${'x'.repeat(81)}`, { token: admin.token }), 400, 'VALIDATION_FAILED');
    });

    it('an admin deletes any room: members get room_deleted, the room is gone, and it is audited', async () => {
      const owner = await registerUser(t.api);
      const room = await createRoom(t.api, owner, 'private');
      await sendText(t.api, owner, room.id, 'soon gone');
      const socket = await ws(owner);
      const res = await http(t.api, 'DELETE', `/admin/rooms/${room.id}`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ room_id: room.id, deleted: true });
      const live = await socket.next('room_deleted');
      expect(live.payload).toEqual({ room_id: room.id, deleted_by: admin.id });
      expectError(await http(t.api, 'GET', `/rooms/${room.id}`, { token: owner.token }), 404, 'ROOM_NOT_FOUND');
      expectError(await http(t.api, 'DELETE', `/admin/rooms/${room.id}`, { token: admin.token }), 404, 'ROOM_NOT_FOUND');
      expectError(await http(t.api, 'DELETE', '/admin/rooms/nope', { token: admin.token }), 400, 'VALIDATION_FAILED');
      const rows = await auditOf(room.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: `user:${admin.id}`, action: 'room.delete', details: { type: 'private', member_count: 1 } });
    });
  });

  describe('deactivated profiles', () => {
    it('disabled and deleted accounts show deactivated on profiles, members, DM peers and message senders', async () => {
      const alice = await registerUser(t.api);
      const bob = await registerUser(t.api);
      const room = await createRoom(t.api, alice, 'private');
      await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: alice.token, body: { user_ids: [bob.id] } });
      await sendText(t.api, bob, room.id, 'hi from bob');
      const dm = await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } });
      expect((await http(t.api, 'GET', `/users/${bob.id}`, { token: alice.token })).body.deactivated).toBe(false);

      await http(t.api, 'POST', `/admin/users/${bob.id}/disable`, { token: admin.token });
      expect((await http(t.api, 'GET', `/users/${bob.id}`, { token: alice.token })).body.deactivated).toBe(true);
      const members = await http(t.api, 'GET', `/rooms/${room.id}/members`, { token: alice.token });
      expect(members.body.items.find((m: { user: { id: string } }) => m.user.id === bob.id).user.deactivated).toBe(true);
      expect(members.body.items.find((m: { user: { id: string } }) => m.user.id === alice.id).user.deactivated).toBe(false);
      const history = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: alice.token });
      expect(history.body.items.at(-1).sender).toMatchObject({ id: bob.id, deactivated: true });
      expect((await http(t.api, 'GET', `/rooms/${dm.body.id}`, { token: alice.token })).body.peer.deactivated).toBe(true);

      await http(t.api, 'POST', `/admin/users/${bob.id}/enable`, { token: admin.token });
      expect((await http(t.api, 'GET', `/users/${bob.id}`, { token: alice.token })).body.deactivated).toBe(false);

      // A deleted account: 404 on its profile (as before), deactivated wherever it still appears.
      const login = await http(t.api, 'POST', '/auth/login', { body: { login: bob.username, password: bob.password } });
      expect((await http(t.api, 'DELETE', '/auth/me', { token: login.body.access_token, body: { password: bob.password } })).status).toBe(200);
      expectError(await http(t.api, 'GET', `/users/${bob.id}`, { token: alice.token }), 404, 'USER_NOT_FOUND');
      const after = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: alice.token });
      expect(after.body.items.at(-1).sender).toMatchObject({ deactivated: true, display_name: 'Deleted user' });
    });
  });

  describe('CLI', () => {
    it('issues a reset token from the command line, and CLI actions are audit rows with a cli: actor', async () => {
      const user = await registerUser(t.api);
      const issued = await runCli(['users', 'password-reset', user.username], { fromSource: true });
      if (issued.code !== 0) throw new Error(`chat-server failed: ${issued.stderr}`);
      const token = issued.stdout.trim();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await http(t.api, 'POST', '/auth/password-reset', { body: { reset_token: token, new_password: 'set from the cli token' } })).status).toBe(200);
      expect((await runCli(['users', 'disable', user.username], { fromSource: true })).code).toBe(0);
      const rows = await auditOf(user.username);
      expect(rows.map((r) => [r.action, r.actor])).toEqual([
        ['user.disable', expect.stringMatching(/^cli:/)],
        ['user.password_reset.redeem', `user:${user.id}`],
        ['user.password_reset', expect.stringMatching(/^cli:/)],
      ]);
      const missing = await runCli(['users', 'password-reset', 'nobody-by-this-name'], { fromSource: true });
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/^error: .*nobody-by-this-name/);
    }, 120_000);
  });
});
