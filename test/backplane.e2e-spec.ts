import { createRoom, http, registerUser, TestUser } from './helpers/http';
import { useTwoInstances } from './helpers/instances';
import { spawnServer } from './helpers/server-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two server processes sharing one PostgreSQL and one Redis behave as one server (issue 6): fan-out,
 * typing, presence, revocation and rate limits cross instances; a killed instance's users go offline;
 * a Redis outage loses nothing.
 */
describe('several instances behind one Redis backplane (e2e)', () => {
  const { redis, a, b, spawnAnother, ws } = useTwoInstances({
    PRESENCE_GRACE_MS: '300',
    RATE_LIMIT_PER_MINUTE: '40',
    WS_MESSAGES_PER_SECOND: '5',
    WS_MESSAGES_BURST: '10',
  });

  async function roomWith(owner: TestUser, ...others: TestUser[]): Promise<string> {
    const room = await createRoom(a.api, owner);
    for (const u of others) await http(b.api, 'POST', `/rooms/${room.id}/join`, { token: u.token });
    return room.id;
  }

  it('refuses to start when REDIS_URL points at no Redis, with a clear message', async () => {
    await expect(spawnServer({ REDIS_URL: 'redis://127.0.0.1:1' }, 30_000)).rejects.toThrow(/Redis at REDIS_URL .* is not reachable/);
  }, 40_000);

  it('carries messages, typing and presence between users on different instances, in seq order', async () => {
    const alice = await registerUser(a.api);
    const bob = await registerUser(b.api);
    const roomId = await roomWith(alice, bob);
    const bobOnB = await ws(b, bob);
    const aliceOnA = await ws(a, alice);
    expect((await bobOnB.next('user_online')).payload.user_id).toBe(alice.id);
    expect((await http(b.api, 'GET', `/users/${alice.id}`, { token: bob.token })).body.online).toBe(true);

    aliceOnA.send({ type: 'typing', payload: { room_id: roomId } });
    expect((await bobOnB.next('typing')).payload).toEqual({ room_id: roomId, user_id: alice.id });

    // A burst from both sides, through both instances.
    const sends = [];
    for (let i = 0; i < 6; i++) {
      sends.push(aliceOnA.request('send_message', { room_id: roomId, content: `a${i}` }));
      sends.push(http(b.api, 'POST', `/rooms/${roomId}/messages`, { token: bob.token, body: { content: `b${i}` } }));
    }
    await Promise.all(sends);
    for (const client of [aliceOnA, bobOnB]) {
      const seqs: number[] = [];
      for (let i = 0; i < 12; i++) seqs.push((await client.next('new_message')).payload.seq);
      // Seq 1 is bob's join (a system line, sent before these clients connected).
      expect(seqs).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    }
    expect((await bobOnB.next('stop_typing')).payload.user_id).toBe(alice.id);

    aliceOnA.close();
    expect((await bobOnB.next('user_offline', 5000)).payload.user_id).toBe(alice.id);
  }, 60_000);

  it('a logout on instance A closes the user\'s socket on instance B with 4401 within a second', async () => {
    const carol = await registerUser(a.api);
    const onB = await ws(b, carol);
    const started = Date.now();
    await http(a.api, 'POST', '/auth/logout', { token: carol.token });
    expect((await onB.closed).code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(1000);
    const refused = await http(b.api, 'GET', '/auth/me', { token: carol.token });
    expect(refused.status).toBe(401);
  });

  it('shares rate limits: WebSocket frames over two instances use one bucket, REST calls one counter', async () => {
    const dave = await registerUser(a.api);
    const onA = await ws(a, dave);
    const onB = await ws(b, dave);
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await (i % 2 ? onB : onA).request('ping'));
    const refused = answers.filter((f) => f.type === 'error' && f.payload.code === 'RATE_LIMITED');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(11);

    const erin = await registerUser(a.api);
    const statuses: number[] = [];
    for (let i = 0; i < 44; i++) statuses.push((await http(i % 2 ? b.api : a.api, 'GET', '/rooms/me', { token: erin.token })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429]);
  }, 30_000);

  it('an instance killed with SIGKILL: its users go offline on the other instance within 30 s', async () => {
    const extra = await spawnAnother();
    const frank = await registerUser(a.api);
    const gina = await registerUser(a.api);
    await roomWith(frank, gina);
    const watcher = await ws(a, frank);
    await ws(extra, gina);
    expect((await watcher.next('user_online')).payload.user_id).toBe(gina.id);
    const killedAt = Date.now();
    extra.child.kill('SIGKILL');
    const offline = await watcher.next('user_offline', 30_000);
    expect(offline.payload.user_id).toBe(gina.id);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
  }, 60_000);

  it('Redis stopped mid-conversation: sends still commit and are acked, readiness turns 503, and nothing is lost after it returns', async () => {
    const hank = await registerUser(a.api);
    const ivy = await registerUser(b.api);
    const roomId = await roomWith(hank, ivy);
    const hankOnA = await ws(a, hank);
    const ivyOnB = await ws(b, ivy);
    await hankOnA.request('send_message', { room_id: roomId, content: 'before the outage' });
    await ivyOnB.next((f) => f.type === 'new_message' && f.payload.content === 'before the outage');

    await redis.stop();
    let ready = 200;
    for (let i = 0; i < 50 && ready === 200; i++, await sleep(100)) ready = (await http(a.origin, 'GET', '/health/ready')).status;
    expect(ready).toBe(503);
    const during = await hankOnA.request('send_message', { room_id: roomId, content: 'during the outage' });
    expect(during.type).toBe('ack');
    // Local delivery continues: Hank's own connection still gets it.
    await hankOnA.next((f) => f.type === 'new_message' && f.payload.content === 'during the outage');

    await redis.restart();
    for (const server of [a, b]) {
      let status = 503;
      for (let i = 0; i < 100 && status !== 200; i++, await sleep(100)) status = (await http(server.origin, 'GET', '/health/ready')).status;
      expect(status).toBe(200);
    }
    const after = await hankOnA.request('send_message', { room_id: roomId, content: 'after the outage' });
    expect(after.type).toBe('ack');
    await ivyOnB.next((f) => f.type === 'new_message' && f.payload.content === 'after the outage', 10_000);
    // Ivy's client converges from history: every message, in order, none missing.
    const history = await http(b.api, 'GET', `/rooms/${roomId}/messages`, { token: ivy.token });
    expect(history.body.items.map((m: any) => m.system?.event ?? m.content)).toEqual(['member_joined', 'before the outage', 'during the outage', 'after the outage']);
  }, 60_000);
});
