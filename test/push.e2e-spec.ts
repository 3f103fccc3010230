import { createECDH, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { useTestApp } from './helpers/app';
import { createRoom, expectError, http, registerUser, sendText, TestUser, unique } from './helpers/http';
import { decryptPush, FakePushService, makeSubscription, TestSubscription, verifyVapid } from './helpers/push-service';

/**
 * Issue 15, item 5: Web Push. The test runs its own push service (plain HTTP on 127.0.0.1, allowed
 * outside production), decrypts what arrives with the subscription's private key (RFC 8291) and
 * verifies the VAPID signature (RFC 8292).
 */
describe('Web Push (e2e)', () => {
  // Grace 0: a closed connection makes its user offline at once (the online/offline test).
  const { t, ws } = useTestApp({ PRESENCE_GRACE_MS: '0' });
  let pushService: FakePushService;

  beforeAll(async () => {
    pushService = await FakePushService.start();
  });
  afterAll(async () => {
    await pushService.close();
  });

  const subsByPath = new Map<string, TestSubscription>();

  /** A fresh path on the fake push service and a subscription to it registered for `user`. */
  async function subscribe(user: TestUser, extra: { previews?: boolean } = {}): Promise<{ id: string; path: string; sub: TestSubscription }> {
    const path = `/push/${unique('ep')}`;
    const sub = makeSubscription(pushService.origin + path);
    const res = await http(t.api, 'POST', '/push/subscriptions', { token: user.token, body: { endpoint: sub.endpoint, expirationTime: null, keys: sub.keys, ...extra } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    subsByPath.set(path, sub);
    return { id: res.body.id, path, sub };
  }

  /** The first push to `path` is about `messageId` (decrypted with the subscription registered for the path). */
  async function expectPushedMessage(path: string, messageId: string): Promise<void> {
    const push = await pushService.nth(path, 1);
    expect(JSON.parse(decryptPush(push.body, subsByPath.get(path)!)).message_id).toBe(messageId);
  }

  async function openDm(a: TestUser, b: TestUser): Promise<string> {
    const res = await http(t.api, 'POST', '/dm', { token: a.token, body: { recipient_id: b.id } });
    expect(res.status).toBe(201);
    return res.body.id;
  }


  async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('serves the VAPID public key, generated once into DATA_DIR with mode 0600', async () => {
    const user = await registerUser(t.api);
    expectError(await http(t.api, 'GET', '/push/vapid-public-key'), 401, 'UNAUTHORIZED');
    const res = await http(t.api, 'GET', '/push/vapid-public-key', { token: user.token });
    expect(res.status).toBe(200);
    const key = Buffer.from(res.body.key, 'base64url');
    expect(res.body.key).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(key.length).toBe(65);
    expect(key[0]).toBe(4);
    const file = join(t.app.get<AppConfig>(APP_CONFIG).dataDir, 'vapid-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).publicKey).toBe(res.body.key);
  });

  it('an offline user gets an encrypted, VAPID-signed push for a DM, without content', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api, { display_name: 'Alice Sender' }), registerUser(t.api)]);
    const { path, sub } = await subscribe(bob);
    const dm = await openDm(alice, bob);
    const message = await sendText(t.api, alice, dm, 'the secret plans');

    const push = await pushService.nth(path, 1);
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(push.headers['ttl']).toMatch(/^\d+$/);
    expect(push.headers['urgency']).toBe('high');
    expect(push.headers['topic']).toBe(dm.replace(/-/g, ''));
    const vapid = verifyVapid(push.headers['authorization']);
    expect(vapid.aud).toBe(pushService.origin);
    expect(vapid.exp).toBeGreaterThan(Date.now() / 1000);
    expect(vapid.sub).toMatch(/^(mailto|https):/);
    expect(vapid.key).toBe((await http(t.api, 'GET', '/push/vapid-public-key', { token: bob.token })).body.key);

    const payload = JSON.parse(decryptPush(push.body, sub));
    expect(payload).toEqual({ room_id: dm, message_id: message.id, seq: message.seq, sender: { id: alice.id, display_name: 'Alice Sender' } });
    expect(decryptPush(push.body, sub)).not.toContain('secret');
    // The sender is never pushed about their own message.
    expect(pushService.to(path)).toHaveLength(1);
  });

  it('with previews allowed, a room push at level "all" carries the room name and the start of the text', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const room = await createRoom(t.api, alice, 'public');
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
    expect((await http(t.api, 'PATCH', `/rooms/${room.id}/notifications`, { token: bob.token, body: { level: 'all' } })).status).toBe(200);
    const { path, sub } = await subscribe(bob, { previews: true });
    const long = 'x'.repeat(300);
    const message = await sendText(t.api, alice, room.id, `  hello\n\nthere ${long}`);

    const payload = JSON.parse(decryptPush((await pushService.nth(path, 1)).body, sub));
    expect(payload).toEqual(
      expect.objectContaining({ room_id: room.id, message_id: message.id, seq: message.seq, room_name: room.name, sender: expect.objectContaining({ id: alice.id }) }),
    );
    expect(payload.preview.startsWith('hello there xxx')).toBe(true);
    expect(Array.from(payload.preview as string)).toHaveLength(140);
    expect((await pushService.nth(path, 1)).headers['urgency']).toBe('normal');
  });

  it('system lines are never pushed, and a preview is the plain text of the markdown', async () => {
    const [alice, bob, dave] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const room = await createRoom(t.api, alice, 'public');
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
    expect((await http(t.api, 'PATCH', `/rooms/${room.id}/notifications`, { token: bob.token, body: { level: 'all' } })).status).toBe(200);
    const { path, sub } = await subscribe(bob, { previews: true });
    // Every kind of line, from others, in a room where bob wants every message.
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: dave.token });
    await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: alice.token, body: { name: unique('pushless') } });
    await http(t.api, 'DELETE', `/rooms/${room.id}/members/${dave.id}`, { token: alice.token });
    await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: alice.token, body: { user_ids: [dave.id] } });
    await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: dave.token });
    const message = await sendText(t.api, alice, room.id, '**Deploy** is `done`\n> see [the log](https://example.com/log)');
    // Had a line been pushed, it would have come first (and this message been throttled).
    await expectPushedMessage(path, message.id);
    expect(JSON.parse(decryptPush((await pushService.nth(path, 1)).body, sub)).preview).toBe('Deploy is done see the log');
  });

  it('no push while the user has an open connection; one after it closed', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const { path } = await subscribe(bob);
    const dm = await openDm(alice, bob);
    const bobWs = await ws(bob);
    await sendText(t.api, alice, dm, 'while online');
    await bobWs.next('new_message');
    bobWs.close();
    await waitUntil(async () => (await http(t.api, 'GET', `/users/${bob.id}`, { token: alice.token })).body.online === false, 'bob is offline');
    const later = await sendText(t.api, alice, dm, 'while offline');
    // Had the first message been pushed, it would have come first (and this one been throttled).
    await expectPushedMessage(path, later.id);
  });

  it('no push at level "none", nor in a room at "mentions" without a mention; "all" pushes', async () => {
    const [alice, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const dm = await openDm(alice, bob);
    const room = await createRoom(t.api, alice, 'public');
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: carol.token });
    const bobSub = await subscribe(bob);
    const carolSub = await subscribe(carol);

    // DM at "none": nothing; back at "all": the next message is the first push.
    await http(t.api, 'PATCH', `/rooms/${dm}/notifications`, { token: bob.token, body: { level: 'none' } });
    await sendText(t.api, alice, dm, 'muted');
    // Room at its default "mentions", no mention: nothing; at "all": the next message is pushed.
    await sendText(t.api, alice, room.id, 'nobody named');
    await new Promise((r) => setTimeout(r, 300));
    await http(t.api, 'PATCH', `/rooms/${dm}/notifications`, { token: bob.token, body: { level: 'all' } });
    await http(t.api, 'PATCH', `/rooms/${room.id}/notifications`, { token: carol.token, body: { level: 'all' } });
    const dmLater = await sendText(t.api, alice, dm, 'unmuted');
    const roomLater = await sendText(t.api, alice, room.id, 'everyone hears this');

    await expectPushedMessage(bobSub.path, dmLater.id);
    await expectPushedMessage(carolSub.path, roomLater.id);
  });

  it('at most one push per (user, room) per interval; another room still pushes', async () => {
    const [alice, dave, bob] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const { path, sub } = await subscribe(bob);
    const dm1 = await openDm(alice, bob);
    const dm2 = await openDm(dave, bob);
    const first = await sendText(t.api, alice, dm1, 'one');
    await pushService.nth(path, 1);
    await sendText(t.api, alice, dm1, 'two');
    await sendText(t.api, alice, dm1, 'three');
    const other = await sendText(t.api, dave, dm2, 'from dave');
    const second = await pushService.nth(path, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(pushService.to(path)).toHaveLength(2);
    expect(JSON.parse(decryptPush((await pushService.nth(path, 1)).body, sub)).message_id).toBe(first.id);
    expect(JSON.parse(decryptPush(second.body, sub))).toEqual(expect.objectContaining({ room_id: dm2, message_id: other.id }));
  });

  it('a subscription gets no pushes once the session that registered it is revoked (logout)', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const login = await http(t.api, 'POST', '/auth/login', { body: { login: bob.username, password: bob.password } });
    expect(login.status).toBe(200);
    const phone = await subscribe(bob);
    const laptop = await subscribe({ ...bob, token: login.body.access_token });
    expect((await http(t.api, 'POST', '/auth/logout', { token: bob.token })).status).toBe(200);
    const message = await sendText(t.api, alice, await openDm(alice, bob), 'only the signed-in device hears this');
    await expectPushedMessage(laptop.path, message.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(pushService.to(phone.path)).toHaveLength(0);
  });

  it('a subscription answered with 410 is removed', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const { id, path, sub } = await subscribe(bob);
    pushService.on(path, { status: 410 });
    await sendText(t.api, alice, await openDm(alice, bob), 'to a gone endpoint');
    await pushService.nth(path, 1);
    // Registering the same endpoint again returns the row's id while it exists, a new one once it was removed.
    await waitUntil(async () => {
      const again = await http(t.api, 'POST', '/push/subscriptions', { token: bob.token, body: { endpoint: sub.endpoint, keys: sub.keys } });
      return again.body.id !== id;
    }, 'the subscription is removed');
    expectError(await http(t.api, 'DELETE', `/push/subscriptions/${id}`, { token: bob.token }), 404, 'NOT_FOUND');
  });

  it('a 500 is retried with backoff, then given up; the subscription stays', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const { id, path } = await subscribe(bob);
    pushService.on(path, { status: 500 });
    await sendText(t.api, alice, await openDm(alice, bob), 'to a failing endpoint');
    const attempts = await Promise.all([1, 2, 3, 4].map((n) => pushService.nth(path, n, 15_000)));
    // The same push each time (the push service got nothing new to store).
    expect(new Set(attempts.map((a) => a.headers['topic'])).size).toBe(1);
    // The next retry would come 4 s after the fourth attempt: wait past it.
    await new Promise((r) => setTimeout(r, 4500));
    expect(pushService.to(path)).toHaveLength(4);
    expect((await http(t.api, 'DELETE', `/push/subscriptions/${id}`, { token: bob.token })).status).toBe(204);
  }, 40_000);

  it('slow push endpoints do not slow sends: acks keep coming while pushes hang, at most 8 at once', async () => {
    const alice = await registerUser(t.api);
    const recipients = await Promise.all(Array.from({ length: 10 }, () => registerUser(t.api)));
    const slowPath = `/push/${unique('slow')}`;
    pushService.on(slowPath, { hold: true });
    for (const bob of recipients) {
      const sub = makeSubscription(`${pushService.origin}${slowPath}?${unique('s')}`);
      // Each recipient's own endpoint URL (query differs), all answered by the same holding path.
      const res = await http(t.api, 'POST', '/push/subscriptions', { token: bob.token, body: { endpoint: sub.endpoint, keys: sub.keys } });
      expect(res.status).toBe(201);
    }
    const dms = await Promise.all(recipients.map((bob) => openDm(alice, bob)));
    for (const dm of dms) await sendText(t.api, alice, dm, 'wake up');
    const arrived = () => pushService.received.filter((r) => r.path.startsWith(slowPath)).length;
    await waitUntil(async () => pushService.heldCount(slowPath) === 8, '8 pushes hang at the slow endpoint');

    const aliceWs = await ws(alice);
    for (let i = 0; i < 30; i++) {
      const ack = await aliceWs.request('send_message', { room_id: dms[i % dms.length], content: `while pushes hang ${i}` });
      expect(ack.type).toBe('ack');
    }
    // Every send was acknowledged while the pushes were still hanging, and no more than 8 went out at once.
    expect(pushService.heldCount(slowPath)).toBe(8);
    expect(arrived()).toBe(8);
    pushService.release(slowPath);
    await waitUntil(async () => arrived() === 10, 'the remaining 2 pushes go out once slots free up', 10_000);
    pushService.release(slowPath);
  }, 40_000);

  describe('subscriptions API', () => {
    const good = () => makeSubscription(`${pushService.origin}/push/${unique('api')}`);

    it('refuses bad bodies with 400 VALIDATION_FAILED naming the field, and stores nothing', async () => {
      const user = await registerUser(t.api);
      const s = good();
      const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url');
      const compressed = createECDH('prime256v1');
      compressed.generateKeys();
      const cases: [unknown, string][] = [
        [{ keys: s.keys }, 'endpoint'],
        [{ endpoint: s.endpoint }, 'keys'],
        [{ endpoint: s.endpoint, keys: 'abc' }, 'keys'],
        [{ endpoint: 'not a url', keys: s.keys }, 'endpoint'],
        [{ endpoint: 'ftp://push.example.com/x', keys: s.keys }, 'endpoint'],
        [{ endpoint: 'http://push.example.com/x', keys: s.keys }, 'endpoint'],
        [{ endpoint: 'https://user:pw@push.example.com/x', keys: s.keys }, 'endpoint'],
        [{ endpoint: `https://push.example.com/${'a'.repeat(2100)}`, keys: s.keys }, 'endpoint'],
        [{ endpoint: 42, keys: s.keys }, 'endpoint'],
        [{ endpoint: s.endpoint, keys: { auth: s.keys.auth } }, 'keys.p256dh'],
        [{ endpoint: s.endpoint, keys: { ...s.keys, p256dh: s.keys.p256dh.slice(0, 40) } }, 'keys.p256dh'],
        [{ endpoint: s.endpoint, keys: { ...s.keys, p256dh: offCurve } }, 'keys.p256dh'],
        [{ endpoint: s.endpoint, keys: { ...s.keys, p256dh: compressed.getPublicKey(undefined, 'compressed').toString('base64url') } }, 'keys.p256dh'],
        [{ endpoint: s.endpoint, keys: { ...s.keys, p256dh: s.keys.p256dh.replace(/.$/, '+') } }, 'keys.p256dh'],
        [{ endpoint: s.endpoint, keys: { ...s.keys, auth: randomBytes(15).toString('base64url') } }, 'keys.auth'],
        [{ endpoint: s.endpoint, keys: { ...s.keys, auth: 'not/base64url+at+all!' } }, 'keys.auth'],
        [{ endpoint: s.endpoint, keys: s.keys, previews: 'yes' }, 'previews'],
        [{ endpoint: s.endpoint, keys: s.keys, expirationTime: 'soon' }, 'expirationTime'],
        [{ endpoint: s.endpoint, keys: s.keys, sneaky: true }, 'sneaky'],
        [{ endpoint: s.endpoint, keys: { ...s.keys, extra: 1 } }, 'keys.extra'],
      ];
      for (const [body, field] of cases) {
        const res = await http(t.api, 'POST', '/push/subscriptions', { token: user.token, body });
        const error = expectError(res, 400, 'VALIDATION_FAILED');
        expect({ body, fields: error.details.map((d: { field: string }) => d.field) }).toEqual({ body, fields: expect.arrayContaining([field]) });
      }
      expectError(await http(t.api, 'POST', '/push/subscriptions', { token: user.token, raw: '{"endpoint":' }), 400);
      expectError(await http(t.api, 'POST', '/push/subscriptions', { body: { endpoint: s.endpoint, keys: s.keys } }), 401);
      // Nothing was stored: the good subscription is new (its id is not among any earlier answer).
      expect((await http(t.api, 'POST', '/push/subscriptions', { token: user.token, body: { endpoint: s.endpoint, keys: s.keys } })).status).toBe(201);
    });

    it('registering an endpoint again returns the same id; another user takes it over', async () => {
      const [bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
      const s = good();
      const first = await http(t.api, 'POST', '/push/subscriptions', { token: bob.token, body: { endpoint: s.endpoint, keys: s.keys } });
      const again = await http(t.api, 'POST', '/push/subscriptions', { token: bob.token, body: { endpoint: s.endpoint, keys: s.keys, previews: true } });
      expect(again.body.id).toBe(first.body.id);
      // Carol signs in on the same browser and subscribes: the row is hers now, Bob cannot delete it.
      const carols = await http(t.api, 'POST', '/push/subscriptions', { token: carol.token, body: { endpoint: s.endpoint, keys: s.keys } });
      expect(carols.body.id).toBe(first.body.id);
      expectError(await http(t.api, 'DELETE', `/push/subscriptions/${first.body.id}`, { token: bob.token }), 404, 'NOT_FOUND');
      expect((await http(t.api, 'DELETE', `/push/subscriptions/${first.body.id}`, { token: carol.token })).status).toBe(204);
    });

    it('DELETE: only the owner (others 404), bad ids 400, twice 404', async () => {
      const [bob, mallory] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
      const s = good();
      const { id } = (await http(t.api, 'POST', '/push/subscriptions', { token: bob.token, body: { endpoint: s.endpoint, keys: s.keys } })).body;
      expectError(await http(t.api, 'DELETE', `/push/subscriptions/${id}`, { token: mallory.token }), 404, 'NOT_FOUND');
      expectError(await http(t.api, 'DELETE', '/push/subscriptions/not-a-uuid', { token: bob.token }), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'DELETE', `/push/subscriptions/${id}`), 401);
      expect((await http(t.api, 'DELETE', `/push/subscriptions/${id}`, { token: bob.token })).status).toBe(204);
      expectError(await http(t.api, 'DELETE', `/push/subscriptions/${id}`, { token: bob.token }), 404, 'NOT_FOUND');
    });

    it('keeps a user\'s 10 newest subscriptions', async () => {
      const bob = await registerUser(t.api);
      const ids: string[] = [];
      for (let i = 0; i < 11; i++) {
        const s = good();
        ids.push((await http(t.api, 'POST', '/push/subscriptions', { token: bob.token, body: { endpoint: s.endpoint, keys: s.keys } })).body.id);
      }
      expectError(await http(t.api, 'DELETE', `/push/subscriptions/${ids[0]}`, { token: bob.token }), 404, 'NOT_FOUND');
      for (const id of ids.slice(1)) expect((await http(t.api, 'DELETE', `/push/subscriptions/${id}`, { token: bob.token })).status).toBe(204);
    });

    it('is documented in Swagger', async () => {
      const doc = (await (await fetch(`${t.origin}/docs-json`)).json()) as any;
      const op = (path: string, method: string) => doc.paths[`/api/v1${path}`]?.[method];
      expect(op('/push/vapid-public-key', 'get').responses['200']).toBeDefined();
      expect(op('/push/subscriptions', 'post').responses).toEqual(expect.objectContaining({ '201': expect.anything(), '400': expect.anything(), '401': expect.anything() }));
      expect(op('/push/subscriptions/{id}', 'delete').responses).toEqual(expect.objectContaining({ '204': expect.anything(), '404': expect.anything() }));
      const schemas = doc.components.schemas;
      expect(schemas.CreatePushSubscriptionDto.required).toEqual(expect.arrayContaining(['endpoint', 'keys']));
      expect(schemas.PushSubscriptionKeysDto.required).toEqual(['p256dh', 'auth']);
      expect(schemas.VapidPublicKeyDto.properties).toHaveProperty('key');
    });
  });
});
