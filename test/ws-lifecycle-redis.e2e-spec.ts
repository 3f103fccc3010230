import { createRoom, http, registerUser } from './helpers/http';
import { useTwoInstances } from './helpers/instances';
import { Frame } from './helpers/ws-client';

/**
 * The WebSocket rate limit's Redis token bucket answers before it closes, and `user_updated` crosses
 * instances, with two app instances sharing one Redis (issue 12 must 8, issue 14).
 */
describe('WebSocket lifecycle over the Redis backplane (e2e)', () => {
  const { a, b, ws } = useTwoInstances({ WS_MESSAGES_PER_SECOND: '1', WS_MESSAGES_BURST: '3' }, { inProcess: true });

  it('8 frames at once over two instances: 3 acks and 5 RATE_LIMITED with retry_after_ms, sockets stay open; sustained abuse closes 4429 after its answers', async () => {
    const user = await registerUser(a.api);
    const room = await createRoom(a.api, user);
    const onA = await ws(a, user);
    const onB = await ws(b, user);
    for (let i = 0; i < 8; i++) (i % 2 ? onB : onA).send({ type: 'send_message', id: `m${i}`, payload: { room_id: room.id, content: `burst ${i}` } });
    const answers: Frame[] = [];
    for (let i = 0; i < 8; i++) answers.push(await (i % 2 ? onB : onA).next((f) => f.id === `m${i}`));
    expect(answers.filter((f) => f.type === 'ack')).toHaveLength(3);
    const refused = answers.filter((f) => f.type === 'error');
    expect(refused.map((f) => f.payload.code)).toEqual(Array(5).fill('RATE_LIMITED'));
    for (const f of refused) expect(f.payload.retry_after_ms).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect([onA.socket.readyState, onB.socket.readyState]).toEqual([1, 1]);

    let n = 0;
    const flood = setInterval(() => {
      if (onA.socket.readyState === 1) onA.send({ type: 'send_message', id: `s${n}`, payload: { room_id: room.id, content: `flood ${n++}` } });
    }, 50);
    try {
      expect((await onA.closed).code).toBe(4429);
    } finally {
      clearInterval(flood);
    }
    expect(onA.frames.filter((f) => f.type === 'error' && f.payload.code === 'RATE_LIMITED').length).toBeGreaterThan(3);
    const acks = answers.filter((f) => f.type === 'ack').length + onA.frames.filter((f) => f.type === 'ack').length;
    const stored = await http(a.api, 'GET', `/rooms/${room.id}/messages?limit=100`, { token: user.token });
    expect(stored.body.items.length).toBe(acks);
  });

  it('user_updated reaches a co-member connected to the other instance', async () => {
    const changer = await registerUser(a.api);
    const member = await registerUser(a.api);
    const room = await createRoom(a.api, changer);
    await http(b.api, 'POST', `/rooms/${room.id}/join`, { token: member.token });
    const m = await ws(b, member);
    expect((await http(a.api, 'PATCH', '/auth/me', { token: changer.token, body: { avatar_url: 'https://example.com/new.png' } })).status).toBe(200);
    const event = await m.next((f) => f.type === 'user_updated' && f.payload.id === changer.id);
    expect(event.payload).toMatchObject({ id: changer.id, avatar_url: 'https://example.com/new.png' });
  });
});
