import { DataSource } from 'typeorm';
import { createRoom, http, okBody, registerUser, TestUser, unique } from './helpers/http';
import { useTestApp } from './helpers/app';

/** A small seeded PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e5a0a20000000049454e44ae426082',
  'hex',
);

/**
 * The unread counts that `rooms/me` and `POST /rooms/:id/read` answer come from maintained counters
 * (rooms.live_count, room_members.read_live and own_unread). Property: after any sequence of sends
 * (single, concurrent bursts that go through one group commit, with attachments on the single-send
 * path, repeated client_msg_ids), deletes by senders and by the owner, reads forward and backward,
 * joins, leaves and re-joins (each of which also stores a system line), every member's maintained
 * count equals a fresh COUNT(*) of other people's live messages after their read pointer, system
 * lines left out (they are never unread). Several seeded random sequences through the real
 * app over HTTP; the fresh count is a plain SQL query on the same database.
 */
describe('unread counters (e2e, seeded random sequences)', () => {
  const { t } = useTestApp();
  const SEEDS = [1, 2, 3];
  const STEPS = 60;

  const fresh = async (roomId: string, userId: string): Promise<number> => {
    const rows: { n: string }[] = await t.app.get(DataSource).query(
      `SELECT count(*) AS n FROM room_members m JOIN messages u ON u.room_id = m.room_id AND u.seq > m.last_read_seq
         AND u.deleted_at IS NULL AND u.type <> 'system' AND u.sender_id IS DISTINCT FROM m.user_id
       WHERE m.room_id = $1 AND m.user_id = $2`,
      [roomId, userId],
    );
    return Number(rows[0].n);
  };

  async function upload(user: TestUser): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'dot.png');
    const res = await fetch(`${t.api}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${user.token}` } });
    const body = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(body)}`);
    return body.id;
  }

  it.each(SEEDS)('maintained counts equal fresh counts after a random sequence (seed %i)', async (seed) => {
    const random = prng(seed);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const users = await Promise.all(Array.from({ length: 4 }, () => registerUser(t.api)));
    const owner = users[0];
    const rooms = [await createRoom(t.api, owner), await createRoom(t.api, owner)];
    const members = new Map<string, Set<TestUser>>(rooms.map((r) => [r.id, new Set([owner])]));
    const sent = new Map<string, Array<{ id: string; sender: TestUser }>>(rooms.map((r) => [r.id, []]));
    const lastSeq = new Map<string, number>(rooms.map((r) => [r.id, 0]));
    const log: string[] = [];

    const send = async (user: TestUser, roomId: string, body: object): Promise<void> => {
      const res = await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: user.token, body });
      const message = okBody(res, 'send');
      if (res.status === 201) sent.get(roomId)!.push({ id: message.id, sender: user });
      lastSeq.set(roomId, Math.max(lastSeq.get(roomId)!, message.seq));
    };

    for (let step = 0; step < STEPS; step++) {
      const room = pick(rooms);
      const inRoom = [...members.get(room.id)!];
      const outside = users.filter((u) => !members.get(room.id)!.has(u));
      const r = random();
      if (r < 0.3) {
        // A burst of concurrent text sends from members: one group commit, maybe with a repeated client_msg_id.
        const cmid = unique('c');
        const burst = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => ({
          user: pick(inRoom),
          body: { content: `m${step}.${i}`, ...(random() < 0.3 ? { client_msg_id: cmid } : {}) },
        }));
        log.push(`burst ${burst.length} into ${rooms.indexOf(room)}`);
        await Promise.all(burst.map((b) => send(b.user, room.id, b.body)));
      } else if (r < 0.38) {
        const user = pick(inRoom);
        log.push(`attachment into ${rooms.indexOf(room)}`);
        await send(user, room.id, { content: `file ${step}`, attachment_ids: [await upload(user)] });
      } else if (r < 0.52) {
        const live = sent.get(room.id)!;
        if (live.length === 0) continue;
        const target = pick(live);
        // The sender deletes, or the owner does (moderation); deleting a tombstone again changes nothing.
        const by = members.get(room.id)!.has(target.sender) && random() < 0.6 ? target.sender : owner;
        log.push(`delete in ${rooms.indexOf(room)}`);
        okBody(await http(t.api, 'DELETE', `/messages/${target.id}`, { token: by.token }), 'delete');
      } else if (r < 0.75) {
        const user = pick(inRoom);
        const seq = Math.floor(random() * (lastSeq.get(room.id)! + 3));
        log.push(`read ${seq} in ${rooms.indexOf(room)}`);
        const res = okBody(await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: user.token, body: { seq } }), 'read');
        expect(res.unread_count).toBe(await fresh(room.id, user.id));
      } else if (r < 0.9) {
        if (outside.length === 0) continue;
        const user = pick(outside);
        log.push(`join ${rooms.indexOf(room)}`);
        okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: user.token }), 'join');
        members.get(room.id)!.add(user);
      } else {
        const user = inRoom.filter((u) => u !== owner);
        if (user.length === 0) continue;
        const leaving = pick(user);
        log.push(`leave ${rooms.indexOf(room)}`);
        okBody(await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: leaving.token }), 'leave');
        members.get(room.id)!.delete(leaving);
      }
      for (const user of users) {
        const mine = okBody(await http(t.api, 'GET', '/rooms/me?limit=100', { token: user.token }), 'rooms/me');
        for (const item of mine.items as Array<{ id: string; unread_count: number }>) {
          if (!members.has(item.id)) continue;
          const expected = await fresh(item.id, user.id);
          if (item.unread_count !== expected) throw new Error(`seed ${seed}, after ${log.join(', ')}: ${user.username} has ${item.unread_count}, fresh count ${expected}`);
        }
      }
    }
    // The sequences did exercise what they claim to.
    expect(log.some((l) => l.startsWith('burst'))).toBe(true);
    expect(log.some((l) => l.startsWith('delete'))).toBe(true);
    expect(log.some((l) => l.startsWith('read'))).toBe(true);
    expect(log.some((l) => l.startsWith('join'))).toBe(true);
  }, 180_000);
});
