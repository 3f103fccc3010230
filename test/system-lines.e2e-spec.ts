import { DataSource } from 'typeorm';
import { createRoom, expectError, http, okBody, registerUser, TestUser, unique } from './helpers/http';
import { useTestApp } from './helpers/app';
import { connectAuthed } from './helpers/ws-client';

/**
 * System lines (issue 15 item 6): joins, adds, leaves, removals and renames are stored as
 * `type: "system"` messages with a machine-readable `system` payload, take the room's next seq in
 * the transaction of the change, reach members live, in history and in sync, are never unread nor
 * mentions, and cannot be edited, deleted, reacted to or replied to.
 */
describe('system lines (e2e)', () => {
  const { t } = useTestApp();
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
  });

  const history = async (roomId: string, user: TestUser): Promise<any[]> =>
    okBody(await http(t.api, 'GET', `/rooms/${roomId}/messages?limit=100`, { token: user.token }), 'history').items;
  const myRoom = async (roomId: string, user: TestUser): Promise<any> =>
    (okBody(await http(t.api, 'GET', '/rooms/me?limit=100', { token: user.token }), 'rooms/me').items as any[]).find((r) => r.id === roomId);
  const send = async (roomId: string, user: TestUser, content: string): Promise<any> =>
    okBody(await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: user.token, body: { content } }), 'send');
  const systemOf = (messages: any[]): any[] => messages.filter((m) => m.type === 'system').map((m) => ({ seq: m.seq, sender: m.sender.id, ...m.system }));

  it('a join is a member_joined line at the next seq, in history, rooms/me and live to every member (the joiner too)', async () => {
    const room = await createRoom(t.api, alice);
    const first = await send(room.id, alice, 'before anyone joined');
    expect(first.seq).toBe(1);
    expect(first.system).toBeNull();
    const aliceWs = await connectAuthed(t.wsUrl, alice.token);
    const bobWs = await connectAuthed(t.wsUrl, bob.token);
    try {
      const joined = okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token }), 'join');
      expect(joined.last_seq).toBe(2);
      const live = await aliceWs.next((f) => f.type === 'new_message' && f.payload.room_id === room.id);
      const own = await bobWs.next((f) => f.type === 'new_message' && f.payload.room_id === room.id);
      for (const frame of [live, own]) {
        expect(frame.payload).toEqual(
          expect.objectContaining({
            room_id: room.id,
            seq: 2,
            updated_seq: 2,
            type: 'system',
            content: null,
            system: { event: 'member_joined', user_id: bob.id },
            mentions: [],
            reactions: [],
            attachments: [],
            reply_to: null,
          }),
        );
        expect(frame.payload.sender.id).toBe(bob.id);
      }
      const items = await history(room.id, bob);
      expect(items.map((m) => m.seq)).toEqual([1, 2]);
      expect(items[1]).toEqual(live.payload);
      // The room's last message is the line (rooms/me shows it; the web client renders it in its own words).
      expect((await myRoom(room.id, alice)).last_message.id).toBe(live.payload.id);
      // Joining again changes nothing and records nothing.
      okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token }), 'join again');
      expect((await history(room.id, alice)).map((m) => m.seq)).toEqual([1, 2]);
    } finally {
      aliceWs.close();
      bobWs.close();
    }
  });

  it('never counts as unread or as a mention, also for a member who returns (rooms/me stays exact)', async () => {
    const room = await createRoom(t.api, alice);
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: carol.token }), 'carol joins');
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token }), 'bob joins');
    expect(await myRoom(room.id, alice)).toEqual(expect.objectContaining({ unread_count: 0, mention_count: 0, last_seq: 2 }));
    await send(room.id, alice, `hello @${carol.username}`);
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: bob.token }), 'bob leaves');
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token }), 'bob is back');
    okBody(await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: alice.token, body: { name: unique('renamed') } }), 'rename');
    // Carol: alice's one message (which mentions her) is unread; four lines by others are not.
    expect(await myRoom(room.id, carol)).toEqual(expect.objectContaining({ unread_count: 1, mention_count: 1, last_seq: 6 }));
    // Bob sent two lines of his own (joined, left) before joining again: his count is alice's message only.
    expect(await myRoom(room.id, bob)).toEqual(expect.objectContaining({ unread_count: 1, mention_count: 0 }));
    expect(await myRoom(room.id, alice)).toEqual(expect.objectContaining({ unread_count: 0, mention_count: 0 }));
    // Reading past lines moves the pointer; the counts stay exact.
    const read = okBody(await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: carol.token, body: { seq: 4 } }), 'read');
    expect(read).toEqual({ room_id: room.id, last_read_seq: 4, unread_count: 0, mention_count: 0 });
    const readBob = okBody(await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: bob.token }), 'read all');
    expect(readBob).toEqual({ room_id: room.id, last_read_seq: 6, unread_count: 0, mention_count: 0 });
    // The maintained counters equal a fresh count of other people's live non-system messages.
    const rows: { user_id: string; fresh: string; unread: string }[] = await t.app.get(DataSource).query(
      `SELECT m.user_id,
              (SELECT count(*) FROM messages u WHERE u.room_id = m.room_id AND u.seq > m.last_read_seq AND u.deleted_at IS NULL
                 AND u.type <> 'system' AND u.sender_id IS DISTINCT FROM m.user_id) AS fresh,
              r.live_count - m.read_live - m.own_unread AS unread
       FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.room_id = $1`,
      [room.id],
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(Number(row.unread)).toBe(Number(row.fresh));
  });

  it('members added by an admin and by POST /rooms member_ids are member_joined lines with actor_id; the creator gets none', async () => {
    const created = okBody(await http(t.api, 'POST', '/rooms', { token: alice.token, body: { name: unique('group'), member_ids: [bob.id] } }), 'create');
    expect(created.last_seq).toBe(1);
    expect(systemOf(await history(created.id, bob))).toEqual([{ seq: 1, sender: alice.id, event: 'member_joined', user_id: bob.id, actor_id: alice.id }]);
    const bobWs = await connectAuthed(t.wsUrl, bob.token);
    const carolWs = await connectAuthed(t.wsUrl, carol.token);
    try {
      okBody(await http(t.api, 'POST', `/rooms/${created.id}/members`, { token: alice.token, body: { user_ids: [carol.id] } }), 'add');
      const expected = { event: 'member_joined', user_id: carol.id, actor_id: alice.id };
      expect((await bobWs.next((f) => f.type === 'new_message' && f.payload.room_id === created.id)).payload.system).toEqual(expected);
      expect((await carolWs.next((f) => f.type === 'new_message' && f.payload.room_id === created.id)).payload.system).toEqual(expected);
    } finally {
      bobWs.close();
      carolWs.close();
    }
    expect(systemOf(await history(created.id, carol))).toEqual([
      { seq: 1, sender: alice.id, event: 'member_joined', user_id: bob.id, actor_id: alice.id },
      { seq: 2, sender: alice.id, event: 'member_joined', user_id: carol.id, actor_id: alice.id },
    ]);
    // A refused add (already a member) records nothing.
    expectError(await http(t.api, 'POST', `/rooms/${created.id}/members`, { token: alice.token, body: { user_ids: [carol.id] } }), 409, 'ALREADY_MEMBER');
    expect((await history(created.id, alice)).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('a leave is member_left; a kick is member_removed, and the removed user sees their own removal live and nothing after it', async () => {
    const room = await createRoom(t.api, alice);
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token }), 'bob joins');
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: carol.token }), 'carol joins');
    const carolWs = await connectAuthed(t.wsUrl, carol.token);
    const bobWs = await connectAuthed(t.wsUrl, bob.token);
    try {
      okBody(await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: carol.token }), 'carol leaves');
      const left = await carolWs.next((f) => f.type === 'new_message' && f.payload.room_id === room.id);
      expect(left.payload).toEqual(expect.objectContaining({ seq: 3, type: 'system', system: { event: 'member_left', user_id: carol.id } }));
      expect(left.payload.sender.id).toBe(carol.id);
      expect((await bobWs.next((f) => f.type === 'new_message' && f.payload.room_id === room.id)).payload.id).toBe(left.payload.id);

      okBody(await http(t.api, 'DELETE', `/rooms/${room.id}/members/${bob.id}`, { token: alice.token }), 'kick');
      const removed = await bobWs.next((f) => f.type === 'new_message' && f.payload.room_id === room.id);
      expect(removed.payload).toEqual(expect.objectContaining({ seq: 4, type: 'system', system: { event: 'member_removed', user_id: bob.id, actor_id: alice.id } }));
      expect(removed.payload.sender.id).toBe(alice.id);
      await send(room.id, alice, 'after the kick');
      await bobWs.expectNone((f) => f.type === 'new_message' && f.payload.room_id === room.id);
    } finally {
      carolWs.close();
      bobWs.close();
    }
    expect(systemOf(await history(room.id, alice))).toEqual([
      { seq: 1, sender: bob.id, event: 'member_joined', user_id: bob.id },
      { seq: 2, sender: carol.id, event: 'member_joined', user_id: carol.id },
      { seq: 3, sender: carol.id, event: 'member_left', user_id: carol.id },
      { seq: 4, sender: alice.id, event: 'member_removed', user_id: bob.id, actor_id: alice.id },
    ]);
    // Removing oneself through the members route is leaving: member_left, not member_removed.
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: carol.token }), 'carol is back');
    okBody(await http(t.api, 'DELETE', `/rooms/${room.id}/members/${carol.id}`, { token: carol.token }), 'carol removes herself');
    expect(systemOf(await history(room.id, alice)).slice(-1)).toEqual([{ seq: 7, sender: carol.id, event: 'member_left', user_id: carol.id }]);
  });

  it('a rename that changes the name is room_renamed with the new name; the same name or a description alone records nothing', async () => {
    const room = await createRoom(t.api, alice);
    const name = unique('renamed');
    okBody(await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: alice.token, body: { name } }), 'rename');
    expect(systemOf(await history(room.id, alice))).toEqual([{ seq: 1, sender: alice.id, event: 'room_renamed', user_id: alice.id, name }]);
    const same = okBody(await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: alice.token, body: { name } }), 'same name');
    expect(same.last_seq).toBe(1);
    const described = okBody(await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: alice.token, body: { description: 'what we talk about' } }), 'describe');
    expect(described.last_seq).toBe(1);
    expect((await history(room.id, alice)).map((m) => m.seq)).toEqual([1]);
    // A refused rename (not an admin) records nothing either.
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token }), 'bob joins');
    expectError(await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: bob.token, body: { name: unique('nope') } }), 403, 'FORBIDDEN');
    expect((await history(room.id, alice)).map((m) => m.seq)).toEqual([1, 2]);
    // The new name is in the payload, not in content: search does not find system lines.
    const found = okBody(await http(t.api, 'GET', `/messages/search?q=${name}`, { token: alice.token }), 'search');
    expect(found.items).toEqual([]);
  });

  it('system lines come with sync (from 0 and from a cursor), in seq order with the other messages', async () => {
    const room = await createRoom(t.api, alice);
    await send(room.id, alice, 'one');
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token }), 'bob joins');
    await send(room.id, bob, 'two');
    const ws = await connectAuthed(t.wsUrl, bob.token);
    try {
      const all = (await ws.request('sync', { rooms: { [room.id]: 0 } })).payload.rooms[0];
      expect(all.messages.map((m: any) => [m.seq, m.type, m.system?.event ?? null])).toEqual([
        [1, 'text', null],
        [2, 'system', 'member_joined'],
        [3, 'text', null],
      ]);
      expect(all.last_seq).toBe(3);
      okBody(await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: alice.token, body: { name: unique('synced') } }), 'rename');
      await ws.next((f) => f.type === 'new_message' && f.payload.room_id === room.id && f.payload.type === 'system');
      const since = (await ws.request('sync', { rooms: { [room.id]: 3 } })).payload.rooms[0];
      expect(since.messages.map((m: any) => [m.seq, m.system?.event])).toEqual([[4, 'room_renamed']]);
      expect(since.last_seq).toBe(4);
    } finally {
      ws.close();
    }
  });

  it('nobody may edit, delete, react to, report or reply to a system line (422/400, nothing changes)', async () => {
    const room = await createRoom(t.api, alice);
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token }), 'bob joins');
    const [line] = await history(room.id, bob);
    expect(line.type).toBe('system');
    // Bob is the line's sender, alice the room's owner: neither may change it.
    expect(expectError(await http(t.api, 'PATCH', `/messages/${line.id}`, { token: bob.token, body: { content: 'I did not join' } }), 422, 'BUSINESS_RULE').error).toMatch(/system line/i);
    expectError(await http(t.api, 'DELETE', `/messages/${line.id}`, { token: bob.token }), 422, 'BUSINESS_RULE');
    expectError(await http(t.api, 'DELETE', `/messages/${line.id}`, { token: alice.token }), 422, 'BUSINESS_RULE');
    expectError(await http(t.api, 'PUT', `/messages/${line.id}/reactions/${encodeURIComponent('👍')}`, { token: alice.token }), 422, 'BUSINESS_RULE');
    expectError(await http(t.api, 'DELETE', `/messages/${line.id}/reactions/${encodeURIComponent('👍')}`, { token: alice.token }), 422, 'BUSINESS_RULE');
    // Nor report it (the owner, who is not its sender).
    expect(expectError(await http(t.api, 'POST', `/messages/${line.id}/report`, { token: alice.token, body: { reason: 'spam joins' } }), 422, 'BUSINESS_RULE').error).toMatch(/system line/i);
    // A reply over REST (the group-commit path) and with an attachment-less WS send.
    const reply = expectError(await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'welcome', reply_to_id: line.id } }), 400, 'VALIDATION_FAILED');
    expect(reply.details).toEqual([{ field: 'reply_to_id', problem: expect.any(String) }]);
    const ws = await connectAuthed(t.wsUrl, alice.token);
    try {
      const answer = await ws.request('send_message', { room_id: room.id, content: 'welcome', reply_to_id: line.id });
      expect(answer.type).toBe('error');
      expect(answer.payload.code).toBe('VALIDATION_FAILED');
    } finally {
      ws.close();
    }
    // Nothing changed: same line, same counter, nothing else stored.
    const after = await history(room.id, alice);
    expect(after).toEqual([line]);
    expect((await myRoom(room.id, alice)).last_seq).toBe(1);
  });

  it('records nothing for direct messages and for a deleted account (it stays a member, shown as Deleted user)', async () => {
    const [dan, erin] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const dm = okBody(await http(t.api, 'POST', '/dm', { token: dan.token, body: { recipient_id: erin.id } }), 'dm');
    expect(dm.last_seq).toBe(0);
    expect(await history(dm.id, erin)).toEqual([]);
    const room = await createRoom(t.api, alice);
    okBody(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: dan.token }), 'dan joins');
    okBody(await http(t.api, 'DELETE', '/auth/me', { token: dan.token, body: { password: dan.password } }), 'dan deletes his account');
    const items = await history(room.id, alice);
    expect(systemOf(items)).toEqual([{ seq: 1, sender: dan.id, event: 'member_joined', user_id: dan.id }]);
    expect(items[0].sender.display_name).toBe('Deleted user');
  });

  it('the database refuses a system line without its payload and a payload on another message', async () => {
    const room = await createRoom(t.api, alice);
    const db = t.app.get(DataSource);
    await expect(
      db.query(`INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content) VALUES ($1, 100, 100, $2, 'system', NULL)`, [room.id, alice.id]),
    ).rejects.toThrow(/messages_system_payload_ck/);
    await expect(
      db.query(`INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content, system) VALUES ($1, 101, 101, $2, 'text', 'x', '{}')`, [room.id, alice.id]),
    ).rejects.toThrow(/messages_system_payload_ck/);
  });
});
