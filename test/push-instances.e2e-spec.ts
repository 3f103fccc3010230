import { generateVapidKeyPair } from '../src/push/vapid-keys';
import { http, registerUser, sendText, TestUser, unique } from './helpers/http';
import { decryptPush, FakePushService, makeSubscription, TestSubscription, verifyVapid } from './helpers/push-service';
import { useTwoInstances } from './helpers/instances';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Web Push with two instances behind one Redis (issue 15, item 5): each message is pushed once, by
 * the instance that committed it; presence and the per-(user, room) interval are global.
 */
describe('Web Push with several instances (e2e)', () => {
  const vapid = generateVapidKeyPair();
  const { a, b, ws } = useTwoInstances({ PRESENCE_GRACE_MS: '0', VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: 'mailto:ops@chat.test' });
  let pushService: FakePushService;

  beforeAll(async () => {
    pushService = await FakePushService.start(300_000);
  });

  afterAll(async () => {
    await pushService?.close();
  });

  const subs = new Map<string, TestSubscription>();
  async function subscribe(api: string, user: TestUser): Promise<string> {
    const path = `/push/${unique('multi')}`;
    const sub = makeSubscription(pushService.origin + path);
    const res = await http(api, 'POST', '/push/subscriptions', { token: user.token, body: { endpoint: sub.endpoint, keys: sub.keys } });
    expect(res.status).toBe(201);
    subs.set(path, sub);
    return path;
  }
  const payloadOf = async (path: string, n: number) => JSON.parse(decryptPush((await pushService.nth(path, n)).body, subs.get(path)!));
  /** Waits until instance A reports `user` as online (or offline). */
  async function waitForPresence(viewer: TestUser, user: TestUser, online: boolean): Promise<void> {
    for (let i = 0; (await http(a.api, 'GET', `/users/${user.id}`, { token: viewer.token })).body.online !== online; i++) {
      if (i > 100) throw new Error(`instance A never saw ${user.username} ${online ? 'online' : 'offline'}`);
      await sleep(50);
    }
  }
  async function openDm(api: string, from: TestUser, to: TestUser): Promise<string> {
    return (await http(api, 'POST', '/dm', { token: from.token, body: { recipient_id: to.id } })).body.id;
  }

  it('pushes each message once, from the instance that committed it, signed with the shared key', async () => {
    const [alice, carol, bob] = [await registerUser(a.api), await registerUser(b.api), await registerUser(a.api)];
    const path = await subscribe(b.api, bob);
    const fromA = await sendText(a.api, alice, await openDm(a.api, alice, bob), 'via instance A');
    const fromB = await sendText(b.api, carol, await openDm(b.api, carol, bob), 'via instance B');
    const pushed = [await payloadOf(path, 1), await payloadOf(path, 2)].map((p) => p.message_id).sort();
    expect(pushed).toEqual([fromA.id, fromB.id].sort());
    expect(verifyVapid((await pushService.nth(path, 1)).headers['authorization']).key).toBe(vapid.publicKey);
    await sleep(1000);
    expect(pushService.to(path)).toHaveLength(2);
  }, 30_000);

  it('presence is global: no push while the user is connected to the other instance', async () => {
    const [alice, bob] = [await registerUser(a.api), await registerUser(a.api)];
    const path = await subscribe(a.api, bob);
    const dm = await openDm(a.api, alice, bob);
    const bobOnB = await ws(b, bob);
    // Presence reaches instance A through the backplane a moment after B accepted the connection.
    await waitForPresence(alice, bob, true);
    await sendText(a.api, alice, dm, 'bob is on B');
    await bobOnB.next('new_message');
    bobOnB.close();
    await waitForPresence(alice, bob, false);
    const later = await sendText(a.api, alice, dm, 'bob is gone');
    expect((await payloadOf(path, 1)).message_id).toBe(later.id);
  }, 30_000);

  it('one message wakes every offline member it mentions, each once, and the interval holds for all of them on the other instance', async () => {
    const alice = await registerUser(a.api);
    const readers = [await registerUser(a.api), await registerUser(b.api), await registerUser(a.api)];
    const room = (await http(a.api, 'POST', '/rooms', { token: alice.token, body: { name: unique('team'), type: 'public' } })).body;
    for (const r of readers) expect((await http(b.api, 'POST', `/rooms/${room.id}/join`, { token: r.token })).status).toBe(200);
    const paths = [await subscribe(a.api, readers[0]), await subscribe(b.api, readers[1]), await subscribe(a.api, readers[2])];
    const everyone = readers.map((r) => `@${r.username}`).join(' ');
    const first = await sendText(a.api, alice, room.id, `${everyone} deploy is done`);
    for (const path of paths) expect((await payloadOf(path, 1)).message_id).toBe(first.id);
    await sendText(b.api, alice, room.id, `${everyone} one more thing`);
    await sleep(1000);
    expect(paths.map((path) => pushService.to(path).length)).toEqual([1, 1, 1]);
  }, 30_000);

  it('the per-(user, room) interval holds across instances', async () => {
    const [alice, dave, bob] = [await registerUser(a.api), await registerUser(a.api), await registerUser(a.api)];
    const path = await subscribe(a.api, bob);
    const dm = await openDm(a.api, alice, bob);
    const first = await sendText(a.api, alice, dm, 'one, on A');
    expect((await payloadOf(path, 1)).message_id).toBe(first.id);
    await sendText(b.api, alice, dm, 'two, on B');
    const other = await sendText(b.api, dave, await openDm(b.api, dave, bob), 'another room, on B');
    expect((await payloadOf(path, 2)).message_id).toBe(other.id);
    await sleep(500);
    expect(pushService.to(path)).toHaveLength(2);
  }, 30_000);
});
