import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { MAX_FLUSHES_IN_FLIGHT } from '../src/messages/message-batch-writer';
import { BatchOutcomeRow, BatchSendRow, MessagesRepository } from '../src/messages/messages.repository';
import { createRoom, expectError, http, HttpResult, registerUser, TestUser, unique } from './helpers/http';
import { useTestApp } from './helpers/app';
import { Frame, WsTestClient } from './helpers/ws-client';

/** One send of a burst and what the contract says it must become. */
interface Planned {
  /** Frame id (WS) or label (REST). */
  id: string;
  sender: TestUser;
  roomId: string;
  body: { content: string; client_msg_id?: string; reply_to_id?: string };
  /** The group-commit outcome this send must get inside the batch. */
  outcome: BatchOutcomeRow['outcome'];
  /** Error code the client must see, when refused. */
  code?: string;
  /** Whether this send creates a new message (the first of a twin pair does, the second does not). */
  stores: boolean;
}

/**
 * Group commit with mixed outcomes. While the writer's transaction slots are held busy by sends into
 * rooms locked from another database connection, one burst of text sends queues up and is then
 * stored by ONE commitTextBatch statement holding every outcome at once:
 * stored sends from two senders into three rooms, a public room not joined (NOT_A_MEMBER), a private
 * room and an unknown room (both ROOM_NOT_FOUND), a retry of a stored client_msg_id (the original
 * message), a client_msg_id repeated within the batch (one message), and reply targets from another
 * room (VALIDATION_FAILED) and from the same room (stored with reply_to). Every frame gets exactly one
 * answer; per room, the new seqs are gapless, follow send order and continue the stored ones; history,
 * last_seq and live new_message events agree. The REST variant checks 201/200 and gapless seqs, and
 * a refused send must not make a later send of the same batch with its client_msg_id fail too.
 * The repository is only observed (a call-through spy), never replaced.
 */
describe('group commit of text sends with mixed outcomes (e2e)', () => {
  const { t, ws } = useTestApp();
  let spy: jest.SpyInstance<Promise<BatchOutcomeRow[]>, Parameters<MessagesRepository["commitTextBatch"]>>;

  beforeAll(() => {
    spy = jest.spyOn(t.app.get(MessagesRepository), 'commitTextBatch');
  });
  afterAll(() => spy?.mockRestore());

  const post = (user: TestUser, roomId: string, body: object): Promise<HttpResult> =>
    http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: user.token, body });
  const stored = async (user: TestUser, roomId: string, body: object) => {
    const res = await post(user, roomId, body);
    if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const history = async (user: TestUser, roomId: string): Promise<any[]> => {
    const res = await http(t.api, 'GET', `/rooms/${roomId}/messages?limit=100`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.has_more).toBe(false);
    return res.body.items;
  };
  const lastSeq = async (user: TestUser, roomId: string): Promise<number> => {
    const res = await http(t.api, 'GET', `/rooms/${roomId}`, { token: user.token });
    expect(res.status).toBe(200);
    return res.body.last_seq;
  };
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

  async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Holds every transaction slot of the writer: locks one plug room per slot from a separate
   * connection, starts one send into each (each becomes a batch of its own, waiting for the lock) and
   * waits until those batches are in flight. Sends made before `release` queue up in the writer and
   * go out together as the next batch once the locks are gone.
   */
  async function occupyWriter(plugRooms: string[], plug: (roomId: string) => void): Promise<() => Promise<void>> {
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    await db.query('BEGIN');
    await db.query('SELECT 1 FROM rooms WHERE id = ANY($1::uuid[]) FOR UPDATE', [plugRooms]);
    const calls = spy.mock.calls.length;
    plugRooms.forEach(plug);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await db.query('COMMIT');
      await db.end();
    };
    try {
      await waitFor(() => spy.mock.calls.length >= calls + plugRooms.length, 'the plug sends to become batches');
    } catch (err) {
      await release();
      throw err;
    }
    return release;
  }

  /**
   * Sends `frames` back to back (no awaiting) while the writer is held busy by `plugSocket`'s sends
   * into `plugRooms`, so they all queue for the same batch; releases the writer once every socket has
   * read its frames and resolves with the answer (ack or error) of each frame, in `frames` order.
   */
  async function wsBurst(
    plugSocket: WsTestClient,
    plugRooms: string[],
    frames: { socket: WsTestClient; id: string; payload: object }[],
  ): Promise<{ answers: Frame[]; plugAcks: Frame[] }> {
    const release = await occupyWriter(plugRooms, (roomId) =>
      plugSocket.send({ type: 'send_message', id: `plug-${roomId}`, payload: { room_id: roomId, content: 'plug' } }),
    );
    try {
      const plugAcks = Promise.all(plugRooms.map((roomId) => plugSocket.next((f) => f.id === `plug-${roomId}`, 15_000)));
      for (const f of frames) f.socket.send({ type: 'send_message', id: f.id, payload: f.payload });
      const answers = Promise.all(frames.map((f) => f.socket.next((x) => x.id === f.id, 15_000)));
      // A connection handles its frames in order: once its ping is answered, its sends are queued.
      await Promise.all([...new Set(frames.map((f) => f.socket))].map((socket) => socket.request('ping')));
      await new Promise((res) => setTimeout(res, 100));
      await release();
      return { answers: await answers, plugAcks: await plugAcks };
    } finally {
      await release();
    }
  }

  /** The commitTextBatch calls since `from` that carried any of `contents`, with their answers. */
  async function batchesHolding(from: number, contents: Set<string>): Promise<{ sends: BatchSendRow[]; rows: BatchOutcomeRow[] }[]> {
    const found: { sends: BatchSendRow[]; rows: BatchOutcomeRow[] }[] = [];
    for (let i = from; i < spy.mock.calls.length; i++) {
      const sends = spy.mock.calls[i][1];
      if (!sends.some((s) => contents.has(s.content))) continue;
      found.push({ sends: sends.map((s) => ({ ...s })), rows: await (spy.mock.results[i].value as Promise<BatchOutcomeRow[]>) });
    }
    return found;
  }

  it('stores a WebSocket burst of mixed sends from two senders in one batch, answering each send as the contract says', async () => {
    const [a, b] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const p1 = await createRoom(t.api, a, 'public');
    const p2 = await createRoom(t.api, a, 'public');
    const q = await createRoom(t.api, b, 'private');
    const r = await createRoom(t.api, b, 'public');
    const plugRooms = await Promise.all(range(0, MAX_FLUSHES_IN_FLIGHT).map(() => createRoom(t.api, a, 'public')));

    // Stored before the burst: a reply target in P2, "old-1" in P1, and one message in R and in Q.
    const p2First = await stored(a, p2.id, { content: 'reply target in P2' });
    const old1 = await stored(a, p1.id, { content: 'stored before', client_msg_id: 'old-1' });
    const rFirst = await stored(b, r.id, { content: 'first in R' });
    const qFirst = await stored(b, q.id, { content: 'first in Q' });
    const before = { [p1.id]: old1.seq, [p2.id]: p2First.seq, [r.id]: rFirst.seq };
    expect(before).toEqual({ [p1.id]: 1, [p2.id]: 1, [r.id]: 1 });

    const [a1, a2, b1] = await Promise.all([ws(a), ws(a), ws(b)]);
    const tag = unique('burst');
    const plan: Planned[] = [];
    const add = (sender: TestUser, roomId: string, extra: Partial<Planned['body']>, outcome: Planned['outcome'], code?: string) => {
      const n = plan.length;
      plan.push({
        id: `${tag}-${n}`,
        sender,
        roomId,
        body: { content: `${tag} #${n}`, ...extra },
        outcome,
        code,
        stores: outcome === 'stored',
      });
    };
    for (let i = 0; i < 32; i++) {
      add(a, i % 2 === 0 ? p1.id : p2.id, { client_msg_id: `${tag}-c${i}` }, 'stored');
      if (i === 3) add(a, r.id, { client_msg_id: `${tag}-r` }, 'not_member', 'NOT_A_MEMBER');
      if (i === 6) add(a, q.id, { client_msg_id: `${tag}-q` }, 'not_member', 'ROOM_NOT_FOUND');
      if (i === 9) add(a, randomUUID(), {}, 'no_room', 'ROOM_NOT_FOUND');
      if (i === 12) add(a, p1.id, { client_msg_id: 'old-1' }, 'existing');
      if (i === 15) add(a, p1.id, { client_msg_id: 'dup-1' }, 'stored');
      if (i === 20) add(a, p1.id, { client_msg_id: 'dup-1' }, 'twin');
      if (i === 23) add(a, p1.id, { reply_to_id: p2First.id }, 'bad_reply', 'VALIDATION_FAILED');
      if (i === 27) add(a, p2.id, { reply_to_id: p2First.id }, 'stored');
      // B's sends into R, written in between A's.
      if (i === 10 || i === 20) for (let k = 0; k < 3; k++) add(b, r.id, { client_msg_id: `${tag}-b${i}-${k}` }, 'stored');
    }
    const dups = plan.filter((p) => p.body.client_msg_id === 'dup-1');
    const retry = plan.find((p) => p.body.client_msg_id === 'old-1')!;
    const goodReply = plan.find((p) => p.roomId === p2.id && p.body.reply_to_id)!;
    expect(plan).toHaveLength(46);

    const from = spy.mock.calls.length;
    const { answers, plugAcks } = await wsBurst(
      a1,
      plugRooms.map((p) => p.id),
      plan.map((p) => ({ socket: p.sender === a ? a1 : b1, id: p.id, payload: { room_id: p.roomId, ...p.body } })),
    );
    for (const ack of plugAcks) expect(ack).toMatchObject({ type: 'ack', payload: { seq: 1, content: 'plug' } });

    // The burst was ONE statement, with both senders and every outcome (observed, not replaced).
    const batches = await batchesHolding(from, new Set(plan.map((p) => p.body.content)));
    expect(batches.map((x) => x.sends.length)).toEqual([plan.length]);
    const [burst] = batches;
    expect(new Set(burst.sends.map((s) => s.senderId))).toEqual(new Set([a.id, b.id]));
    const outcomeOf = new Map(burst.rows.map((row) => [burst.sends[Number(row.ord) - 1].content, row.outcome]));
    expect(plan.map((p) => [p.id, outcomeOf.get(p.body.content)])).toEqual(plan.map((p) => [p.id, p.outcome]));
    expect(new Set(burst.rows.map((row) => row.outcome))).toEqual(new Set(['stored', 'no_room', 'not_member', 'existing', 'twin', 'bad_reply']));

    // Exactly one answer per frame, of the right kind.
    const answerOf = new Map(plan.map((p, i) => [p, answers[i]]));
    for (const p of plan) {
      const f = answerOf.get(p)!;
      if (p.code) {
        expect({ id: p.id, type: f.type, code: f.payload?.code }).toEqual({ id: p.id, type: 'error', code: p.code });
        expect(f.payload.message).toEqual(expect.any(String));
      } else {
        expect({ id: p.id, type: f.type }).toEqual({ id: p.id, type: 'ack' });
        expect(f.payload).toMatchObject({ room_id: p.roomId, type: 'text', sender: { id: p.sender.id } });
      }
    }
    await new Promise((res) => setTimeout(res, 300));
    const ids = new Set(plan.map((p) => p.id));
    expect([...a1.frames, ...b1.frames].filter((f) => f.id !== undefined && ids.has(f.id))).toEqual([]);

    // The retry is answered with the original message; the twin with the first of its pair.
    expect(answerOf.get(retry)!.payload).toMatchObject({ id: old1.id, seq: old1.seq, content: 'stored before', client_msg_id: 'old-1' });
    const [dupFirst, dupSecond] = dups.map((p) => answerOf.get(p)!.payload);
    expect(dupSecond).toMatchObject({ id: dupFirst.id, seq: dupFirst.seq, content: dupFirst.content, client_msg_id: 'dup-1' });
    expect(answerOf.get(goodReply)!.payload.reply_to).toEqual({ id: p2First.id, sender_id: a.id, content_preview: 'reply target in P2' });

    // Per room: the new messages take gapless seqs right after the stored ones, in send order.
    const expectedNew = (roomId: string) => plan.filter((p) => p.roomId === roomId && p.stores);
    for (const room of [p1, p2, r]) {
      const news = expectedNew(room.id);
      const seqs = news.map((p) => answerOf.get(p)!.payload.seq);
      expect({ room: room.id, seqs }).toEqual({ room: room.id, seqs: range(before[room.id] + 1, news.length) });
      for (const p of news) expect(answerOf.get(p)!.payload).toMatchObject({ content: p.body.content, client_msg_id: p.body.client_msg_id ?? null });
    }
    const newIds = plan.filter((p) => p.stores).map((p) => answerOf.get(p)!.payload.id);
    expect(new Set(newIds).size).toBe(newIds.length);

    // History holds exactly the stored messages: one dup-1, the original old-1, nothing of the refused sends.
    const expectedHistory = {
      [p1.id]: [old1.id, ...expectedNew(p1.id).map((p) => answerOf.get(p)!.payload.id)],
      [p2.id]: [p2First.id, ...expectedNew(p2.id).map((p) => answerOf.get(p)!.payload.id)],
      [r.id]: [rFirst.id, ...expectedNew(r.id).map((p) => answerOf.get(p)!.payload.id)],
      [q.id]: [qFirst.id],
    };
    for (const [roomId, expected] of Object.entries(expectedHistory)) {
      const viewer = roomId === q.id || roomId === r.id ? b : a;
      const items = await history(viewer, roomId);
      expect({ roomId, ids: items.map((m) => m.id) }).toEqual({ roomId, ids: expected });
      expect(items.map((m) => m.seq)).toEqual(range(1, expected.length));
      expect({ roomId, last_seq: await lastSeq(viewer, roomId) }).toEqual({ roomId, last_seq: expected.length });
    }
    const p1Items = await history(a, p1.id);
    expect(p1Items.filter((m) => m.client_msg_id === 'dup-1')).toHaveLength(1);
    expect(p1Items.filter((m) => m.client_msg_id === 'old-1')).toHaveLength(1);
    expect(p1Items.some((m) => m.reply_to !== null)).toBe(false);

    // A's second connection gets each new message of P1 and P2 once, in seq order, and nothing of R or Q.
    for (const room of [p1, p2]) {
      const n = expectedNew(room.id).length;
      const live: number[] = [];
      for (let i = 0; i < n; i++) live.push((await a2.next((f) => f.type === 'new_message' && f.payload.room_id === room.id)).payload.seq);
      expect({ room: room.id, live }).toEqual({ room: room.id, live: range(before[room.id] + 1, n) });
    }
    await a2.expectNone((f) => f.type === 'new_message' && [p1.id, p2.id, r.id, q.id].includes(f.payload.room_id));
    // B sees its own sends into R live too (multi-device), in order.
    const bLive: number[] = [];
    for (let i = 0; i < expectedNew(r.id).length; i++) bLive.push((await b1.next((f) => f.type === 'new_message' && f.payload.room_id === r.id)).payload.seq);
    expect(bLive).toEqual(range(before[r.id] + 1, expectedNew(r.id).length));
  });

  it('answers a concurrent REST burst with 201 for new messages, 200 for repeated client_msg_ids, and gapless seqs', async () => {
    const [a, b] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const s1 = await createRoom(t.api, a, 'public');
    const s2 = await createRoom(t.api, a, 'public');
    const foreign = await createRoom(t.api, b, 'public');
    const plugRooms = await Promise.all(range(0, MAX_FLUSHES_IN_FLIGHT).map(() => createRoom(t.api, a, 'public')));
    const old = await stored(a, s1.id, { content: 'stored before', client_msg_id: 'rest-old' });
    const s2First = await stored(a, s2.id, { content: 'first in S2' });

    const tag = unique('rest');
    const plan: Planned[] = [];
    const add = (roomId: string, extra: Partial<Planned['body']>, outcome: Planned['outcome'], code?: string) => {
      const n = plan.length;
      plan.push({ id: `${tag}-${n}`, sender: a, roomId, body: { content: `${tag} #${n}`, ...extra }, outcome, code, stores: outcome === 'stored' });
    };
    for (let i = 0; i < 16; i++) {
      add(i % 2 === 0 ? s1.id : s2.id, { client_msg_id: `${tag}-c${i}` }, 'stored');
      if (i === 3) add(s1.id, { client_msg_id: 'rest-dup' }, 'stored');
      if (i === 9) add(s1.id, { client_msg_id: 'rest-dup' }, 'twin');
      if (i === 6) add(s1.id, { client_msg_id: 'rest-old' }, 'existing');
      if (i === 11) add(foreign.id, {}, 'not_member', 'NOT_A_MEMBER');
      if (i === 13) add(randomUUID(), {}, 'no_room', 'ROOM_NOT_FOUND');
    }
    expect(plan).toHaveLength(21);

    const from = spy.mock.calls.length;
    const plugs: Promise<HttpResult>[] = [];
    const release = await occupyWriter(
      plugRooms.map((p) => p.id),
      (roomId) => plugs.push(post(a, roomId, { content: 'plug' })),
    );
    let results: HttpResult[];
    try {
      const pending = Promise.all(plan.map((p) => post(a, p.roomId, p.body)));
      // HTTP requests give no signal when they reach the writer: allow them ample time to queue.
      await new Promise((res) => setTimeout(res, 500));
      await release();
      results = await pending;
    } finally {
      await release();
    }
    for (const plug of await Promise.all(plugs)) expect(plug.status).toBe(201);

    const resultOf = new Map(plan.map((p, i) => [p, results[i]]));
    const pairPlan = plan.filter((p) => p.body.client_msg_id === 'rest-dup');
    for (const p of plan) {
      const res = resultOf.get(p)!;
      if (p.code) expectError(res, p.code === 'NOT_A_MEMBER' ? 403 : 404, p.code);
      else if (!pairPlan.includes(p)) expect({ id: p.id, status: res.status }).toEqual({ id: p.id, status: p.outcome === 'stored' ? 201 : 200 });
    }
    // The retry returns the first message; the repeated pair is one message, answered once with 201
    // and once with 200 (which request of the pair the server read first is up to the network).
    expect(resultOf.get(plan.find((p) => p.body.client_msg_id === 'rest-old')!)!.body).toMatchObject({ id: old.id, seq: old.seq, content: 'stored before' });
    const pair = pairPlan.map((p) => resultOf.get(p)!);
    expect(pair.map((res) => res.status).sort()).toEqual([200, 201]);
    expect(pair[1].body).toMatchObject({ id: pair[0].body.id, seq: pair[0].body.seq, client_msg_id: 'rest-dup' });

    // The burst went out grouped: every send through a batch, several of them together.
    const batches = await batchesHolding(from, new Set(plan.map((p) => p.body.content)));
    expect(batches.reduce((n, x) => n + x.sends.length, 0)).toBe(plan.length);
    expect(Math.max(...batches.map((x) => x.sends.length))).toBeGreaterThan(1);

    // Gapless seqs per room, continuing after the stored ones; history and last_seq agree.
    for (const [room, first] of [
      [s1, old],
      [s2, s2First],
    ] as const) {
      const news = plan.filter((p) => p.roomId === room.id && p.stores).map((p) => resultOf.get(p)!.body);
      expect(news.map((m) => m.seq).sort((x: number, y: number) => x - y)).toEqual(range(first.seq + 1, news.length));
      const items = await history(a, room.id);
      expect(items.map((m) => m.id).sort()).toEqual([first.id, ...news.map((m) => m.id)].sort());
      expect(items.map((m) => m.seq)).toEqual(range(1, news.length + 1));
      expect(await lastSeq(a, room.id)).toBe(news.length + 1);
    }
    const s1Items = await history(a, s1.id);
    expect(s1Items.filter((m) => m.client_msg_id === 'rest-dup')).toHaveLength(1);
    expect(s1Items.filter((m) => m.client_msg_id === 'rest-old')).toHaveLength(1);
    expect(await history(b, foreign.id)).toEqual([]);
  });

  it('lets a send whose client_msg_id was carried by a refused send earlier in the same batch be stored', async () => {
    // Nothing was stored under the id, so there is no "first message" to answer with (API.md): each
    // send is judged on its own, as it is when the two arrive in different batches.
    const [a, b] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const p1 = await createRoom(t.api, a, 'public');
    const r = await createRoom(t.api, b, 'public');
    const plugRooms = await Promise.all(range(0, MAX_FLUSHES_IN_FLIGHT).map(() => createRoom(t.api, a, 'public')));
    const a1 = await ws(a);
    const tag = unique('refused');
    const frames = [
      { id: `${tag}-x1`, payload: { room_id: r.id, content: `${tag} to R`, client_msg_id: `${tag}-x` } },
      { id: `${tag}-x2`, payload: { room_id: p1.id, content: `${tag} to P1`, client_msg_id: `${tag}-x` } },
      { id: `${tag}-y1`, payload: { room_id: p1.id, content: `${tag} bad reply`, client_msg_id: `${tag}-y`, reply_to_id: randomUUID() } },
      { id: `${tag}-y2`, payload: { room_id: p1.id, content: `${tag} fixed`, client_msg_id: `${tag}-y` } },
    ];

    const from = spy.mock.calls.length;
    const { answers } = await wsBurst(
      a1,
      plugRooms.map((p) => p.id),
      frames.map((f) => ({ socket: a1, ...f })),
    );
    const batches = await batchesHolding(from, new Set(frames.map((f) => f.payload.content)));
    expect(batches.map((x) => x.sends.length)).toEqual([frames.length]);

    expect(answers.map((f) => [f.id, f.type, f.payload.code ?? f.payload.seq])).toEqual([
      [`${tag}-x1`, 'error', 'NOT_A_MEMBER'],
      [`${tag}-x2`, 'ack', 1],
      [`${tag}-y1`, 'error', 'VALIDATION_FAILED'],
      [`${tag}-y2`, 'ack', 2],
    ]);
    const items = await history(a, p1.id);
    expect(items.map((m) => [m.seq, m.content, m.client_msg_id])).toEqual([
      [1, `${tag} to P1`, `${tag}-x`],
      [2, `${tag} fixed`, `${tag}-y`],
    ]);
  });
});
