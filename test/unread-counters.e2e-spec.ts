import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { createRoom, http, okBody, registerUser, TestUser, unique } from './helpers/http';
import { useTestApp } from './helpers/app';
import { readPosition, seqAt } from './helpers/read-position';

/** One step of a random sequence; users, joiners, leavers and messages are taken modulo what exists. */
type Step =
  | { kind: 'burst'; room: number; by: number[]; retry: boolean[] }
  | { kind: 'attachment'; room: number; by: number }
  | { kind: 'delete'; room: number; message: number; byOwner: boolean }
  /** `at`: a {@link readPosition}. */
  | { kind: 'read'; room: number; by: number; at: number }
  | { kind: 'join'; room: number; who: number }
  | { kind: 'leave'; room: number; who: number };

const USERS = 4;
const ROOMS = 2;
const user = fc.nat({ max: USERS - 1 });
const room = fc.nat({ max: ROOMS - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  // Concurrent text sends: one group commit; `retry` repeats the burst's one client_msg_id.
  {
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      room,
      by: fc.array(user, { minLength: 1, maxLength: 6 }),
      retry: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    }),
    weight: 6,
  },
  // With an attachment: the single-send path.
  { arbitrary: fc.record({ kind: fc.constant('attachment' as const), room, by: user }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), room, message: fc.nat(), byOwner: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('read' as const), room, by: user, at: readPosition }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('join' as const), room, who: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('leave' as const), room, who: fc.nat() }), weight: 2 },
);

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
 * lines left out (they are never unread). fast-check draws the sequences (and shrinks a failing one
 * to a short one, printing its seed); they run through the real app over HTTP, and the fresh count
 * is a plain SQL query on the same database.
 */
describe('unread counters (e2e, fast-check)', () => {
  const { t } = useTestApp();
  let users: TestUser[];

  beforeAll(async () => {
    users = await Promise.all(Array.from({ length: USERS }, () => registerUser(t.api)));
  });

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

  it('maintained counts equal fresh counts after any sequence', async () => {
    const done = new Map<Step['kind'], number>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 40, size: 'max' }), async (steps) => {
        runs++;
        const owner = users[0];
        const rooms = [await createRoom(t.api, owner), await createRoom(t.api, owner)];
        const members = rooms.map(() => new Set<number>([0]));
        const sent = rooms.map(() => [] as Array<{ id: string; by: number }>);
        const lastSeq = rooms.map(() => 0);

        const send = async (r: number, by: number, body: object): Promise<void> => {
          const res = await http(t.api, 'POST', `/rooms/${rooms[r].id}/messages`, { token: users[by].token, body });
          const message = okBody(res, 'send');
          if (res.status === 201) sent[r].push({ id: message.id, by });
          lastSeq[r] = Math.max(lastSeq[r], message.seq);
        };

        for (const [i, s] of steps.entries()) {
          const r = s.room;
          const inRoom = members[r];
          if (s.kind === 'burst') {
            const cmid = unique('c');
            await Promise.all(
              s.by.map((b, k) => send(r, inRoom.has(b) ? b : 0, { content: `r${runs}s${i}.${k}`, ...(s.retry[k] ? { client_msg_id: cmid } : {}) })),
            );
          } else if (s.kind === 'attachment') {
            const by = inRoom.has(s.by) ? s.by : 0;
            await send(r, by, { content: `file ${i}`, attachment_ids: [await upload(users[by])] });
          } else if (s.kind === 'delete') {
            if (sent[r].length === 0) continue;
            const target = sent[r][s.message % sent[r].length];
            // The sender deletes, or the owner does (moderation); deleting a tombstone again changes nothing.
            const by = !s.byOwner && inRoom.has(target.by) ? target.by : 0;
            okBody(await http(t.api, 'DELETE', `/messages/${target.id}`, { token: users[by].token }), 'delete');
          } else if (s.kind === 'read') {
            const by = inRoom.has(s.by) ? s.by : 0;
            const res = okBody(await http(t.api, 'POST', `/rooms/${rooms[r].id}/read`, { token: users[by].token, body: { seq: seqAt(s.at, lastSeq[r]) } }), 'read');
            expect({ step: i, unread_count: res.unread_count }).toEqual({ step: i, unread_count: await fresh(rooms[r].id, users[by].id) });
          } else if (s.kind === 'join') {
            const outside = users.map((_, u) => u).filter((u) => !inRoom.has(u));
            if (outside.length === 0) continue;
            const who = outside[s.who % outside.length];
            okBody(await http(t.api, 'POST', `/rooms/${rooms[r].id}/join`, { token: users[who].token }), 'join');
            inRoom.add(who);
          } else {
            // The owner stays: a room is never left without one.
            const others = [...inRoom].filter((u) => u !== 0);
            if (others.length === 0) continue;
            const who = others[s.who % others.length];
            okBody(await http(t.api, 'POST', `/rooms/${rooms[r].id}/leave`, { token: users[who].token }), 'leave');
            inRoom.delete(who);
          }
          done.set(s.kind, (done.get(s.kind) ?? 0) + 1);
          for (const [u, someone] of users.entries()) {
            const mine = okBody(await http(t.api, 'GET', '/rooms/me?limit=100', { token: someone.token }), 'rooms/me');
            const items = mine.items as Array<{ id: string; unread_count: number }>;
            for (const [k, each] of rooms.entries()) {
              const item = items.find((x) => x.id === each.id);
              if (!members[k].has(u)) continue;
              expect({ step: i, user: u, room: k, unread_count: item?.unread_count }).toEqual({ step: i, user: u, room: k, unread_count: await fresh(each.id, someone.id) });
            }
          }
        }
      }),
      { numRuns: 25 },
    );
    // The sequences did exercise what they claim to.
    for (const kind of ['burst', 'attachment', 'delete', 'read', 'join', 'leave'] as const) expect({ kind, done: (done.get(kind) ?? 0) > 0 }).toEqual({ kind, done: true });
  }, 240_000);
});
