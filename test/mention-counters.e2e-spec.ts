import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { createRoom, http, okBody, registerUser, TestUser } from './helpers/http';
import { useTestApp } from './helpers/app';
import { readPosition, seqAt } from './helpers/read-position';

/** One step of a random sequence; user and message numbers are taken modulo what exists. */
type Step =
  | { kind: 'send'; by: number[]; mention: number[][] }
  | { kind: 'edit'; message: number; mention: number[] }
  | { kind: 'delete'; message: number; byOwner: boolean }
  /** `at`: a {@link readPosition}. */
  | { kind: 'read'; by: number; at: number }
  | { kind: 'join'; who: number }
  | { kind: 'leave'; who: number };

const USERS = 4;
const user = fc.nat({ max: USERS - 1 });
/** Users to name in a message; USERS stands for a name nobody has. */
const named = fc.array(fc.nat({ max: USERS }), { maxLength: 4 });
const step: fc.Arbitrary<Step> = fc.oneof(
  // A burst of concurrent sends: they go through one group commit.
  { arbitrary: fc.record({ kind: fc.constant('send' as const), by: fc.array(user, { minLength: 1, maxLength: 4 }), mention: fc.array(named, { minLength: 4, maxLength: 4 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('edit' as const), message: fc.nat(), mention: named }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), message: fc.nat(), byOwner: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('read' as const), by: user, at: readPosition }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('join' as const), who: user }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('leave' as const), who: user }), weight: 1 },
);

/**
 * `mention_count` (rooms/me and the read answer) is maintained, not counted: rows of message_mentions
 * written by the send, edit and delete statements. Property (fast-check): after any sequence of
 * concurrent sends with and without mentions (of members, of non-members, of oneself, of unknown
 * names), edits that add or drop mentions, deletes by the sender or the owner, reads forward and
 * backward, joins and leaves, every member's maintained count equals a fresh count over messages —
 * other people's live messages after the read pointer whose `mentions` hold the member — and each
 * stored message's `mentions` are exactly the named users who were members when it was sent or edited.
 */
describe('mention counters (e2e, fast-check)', () => {
  const { t } = useTestApp();
  let users: TestUser[];

  beforeAll(async () => {
    users = await Promise.all(Array.from({ length: USERS }, () => registerUser(t.api)));
  });

  const fresh = async (roomId: string, userId: string): Promise<number> => {
    const rows: { n: string }[] = await t.app.get(DataSource).query(
      `SELECT count(*) AS n FROM room_members m JOIN messages u ON u.room_id = m.room_id AND u.seq > m.last_read_seq
         AND u.deleted_at IS NULL AND u.sender_id IS DISTINCT FROM m.user_id AND m.user_id = ANY(u.mentions)
       WHERE m.room_id = $1 AND m.user_id = $2`,
      [roomId, userId],
    );
    return Number(rows[0].n);
  };

  const content = (tag: string, names: number[]): string =>
    `${tag} ${names.map((n) => `@${n < USERS ? users[n].username : 'nobody_by_that_name'}`).join(' ')}`;

  /** The mentions a message should get: named users who are members, first appearance first. */
  const expectedMentions = (names: number[], members: Set<number>): string[] => [...new Set(names.filter((n) => n < USERS && members.has(n)).map((n) => users[n].id))];

  it('maintained mention counts equal fresh counts after any sequence', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), async (steps) => {
        runs++;
        const owner = users[0];
        const room = await createRoom(t.api, owner);
        const members = new Set<number>([0]);
        const sent: Array<{ id: string; by: number; live: boolean }> = [];
        let lastSeq = 0;
        for (const [i, s] of steps.entries()) {
          if (s.kind === 'send') {
            const senders = s.by.map((b) => (members.has(b) ? b : 0));
            const bodies = senders.map((_, k) => content(`r${runs}s${i}.${k}`, s.mention[k]));
            const answers = await Promise.all(
              senders.map((b, k) => http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: users[b].token, body: { content: bodies[k] } })),
            );
            answers.forEach((res, k) => {
              const m = okBody(res, 'send');
              expect(m.mentions).toEqual(expectedMentions(s.mention[k], members));
              sent.push({ id: m.id, by: senders[k], live: true });
              lastSeq = Math.max(lastSeq, m.seq);
            });
          } else if (s.kind === 'edit') {
            const live = sent.filter((m) => m.live && members.has(m.by));
            if (live.length === 0) continue;
            const target = live[s.message % live.length];
            const m = okBody(
              await http(t.api, 'PATCH', `/messages/${target.id}`, { token: users[target.by].token, body: { content: content(`r${runs}e${i}`, s.mention) } }),
              'edit',
            );
            expect(m.mentions).toEqual(expectedMentions(s.mention, members));
          } else if (s.kind === 'delete') {
            const live = sent.filter((m) => m.live);
            if (live.length === 0) continue;
            const target = live[s.message % live.length];
            const by = !s.byOwner && members.has(target.by) ? target.by : 0;
            expect(okBody(await http(t.api, 'DELETE', `/messages/${target.id}`, { token: users[by].token }), 'delete').mentions).toEqual([]);
            target.live = false;
          } else if (s.kind === 'read') {
            const by = members.has(s.by) ? s.by : 0;
            const seq = seqAt(s.at, lastSeq);
            const res = okBody(await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: users[by].token, body: { seq } }), 'read');
            expect(res.mention_count).toBe(await fresh(room.id, users[by].id));
          } else if (s.kind === 'join') {
            if (members.has(s.who)) continue;
            okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: users[s.who].token }), 'join');
            members.add(s.who);
          } else {
            if (s.who === 0 || !members.has(s.who)) continue;
            okBody(await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: users[s.who].token }), 'leave');
            members.delete(s.who);
          }
          for (const m of members) {
            const mine = okBody(await http(t.api, 'GET', '/rooms/me?limit=100', { token: users[m].token }), 'rooms/me');
            const item = (mine.items as Array<{ id: string; mention_count: number }>).find((r) => r.id === room.id)!;
            expect({ step: i, user: m, mention_count: item.mention_count }).toEqual({ step: i, user: m, mention_count: await fresh(room.id, users[m].id) });
          }
        }
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});
