import { randomUUID } from 'node:crypto';
import { useTestApp } from './helpers/app';
import { createRoom, expectError, http, HttpResult, registerUser, TestUser, unique } from './helpers/http';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e5a0a20000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

/**
 * Issue 15, item 7: the request shapes of the original clients. `POST /rooms/:id/read` (and WS
 * `mark_read`) without a seq reads everything; `POST /rooms` with `member_ids` makes a group in one
 * call; `type` on a send is checked against the type the message gets.
 */
describe('seed clients\' request shapes (e2e)', () => {
  const { t, ws } = useTestApp();

  async function upload(user: TestUser, bytes: Buffer, name: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    const res = await fetch(`${t.api}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${user.token}` } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  async function send(user: TestUser, roomId: string, body: object): Promise<HttpResult> {
    return http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: user.token, body });
  }

  async function lastSeq(user: TestUser, roomId: string): Promise<number> {
    return (await http(t.api, 'GET', `/rooms/${roomId}`, { token: user.token })).body.last_seq;
  }

  describe('POST /rooms/:id/read without a seq', () => {
    async function unreadRoom() {
      const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
      const room = await createRoom(t.api, alice);
      // Bob's join is seq 1 (a system line, never unread); alice's messages are seqs 2..4.
      await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
      for (const content of ['one', 'two', 'three']) expect((await send(alice, room.id, { content })).status).toBe(201);
      return { alice, bob, room };
    }

    it.each([
      ['no body at all', {}],
      ['an empty JSON body with its content type', { raw: '', headers: { 'content-type': 'application/json' } }],
      ['an empty object', { body: {} }],
      ['seq null', { body: { seq: null } }],
    ])('%s marks everything read, and the others get messages_read', async (_name, opts) => {
      const { alice, bob, room } = await unreadRoom();
      const aliceWs = await ws(alice);
      const res = await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: bob.token, ...opts });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ room_id: room.id, last_read_seq: 4, unread_count: 0, mention_count: 0 });
      expect((await aliceWs.next('messages_read')).payload).toEqual({ room_id: room.id, user_id: bob.id, last_read_seq: 4 });
      const mine = await http(t.api, 'GET', '/rooms/me', { token: bob.token });
      expect(mine.body.items.find((r: { id: string }) => r.id === room.id).unread_count).toBe(0);
    });

    it('with a seq still reads up to it only', async () => {
      const { bob, room } = await unreadRoom();
      const res = await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: bob.token, body: { seq: 2 } });
      expect(res.body).toEqual({ room_id: room.id, last_read_seq: 2, unread_count: 2, mention_count: 0 });
    });

    it.each([
      ['a negative seq', { seq: -1 }],
      ['a string seq', { seq: '3' }],
      ['a fractional seq', { seq: 1.5 }],
      ['an unknown field', { seq: 1, all: true }],
    ])('400 for %s, and the pointer stays', async (_name, body) => {
      const { bob, room } = await unreadRoom();
      expectError(await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: bob.token, body }), 400, 'VALIDATION_FAILED');
      const mine = await http(t.api, 'GET', `/rooms/${room.id}`, { token: bob.token });
      expect(mine.body.unread_count).toBe(3);
    });

    it('is members only, like every read', async () => {
      const { room } = await unreadRoom();
      const carol = await registerUser(t.api);
      expectError(await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: carol.token }), 403, 'NOT_A_MEMBER');
    });

    it('WS mark_read without seq reads everything too', async () => {
      const { bob, room } = await unreadRoom();
      const bobWs = await ws(bob);
      const ack = await bobWs.request('mark_read', { room_id: room.id });
      expect(ack).toEqual(expect.objectContaining({ type: 'ack', payload: { room_id: room.id, last_read_seq: 4, unread_count: 0, mention_count: 0 } }));
      const again = await bobWs.request('mark_read', { room_id: room.id, seq: null });
      expect(again.payload).toEqual({ room_id: room.id, last_read_seq: 4, unread_count: 0, mention_count: 0 });
      const bad = await bobWs.request('mark_read', { room_id: room.id, seq: 'all' });
      expect(bad.type).toBe('error');
      expect(bad.payload.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('POST /rooms with member_ids', () => {
    it('creates a private group with its members in one call; they are told and can talk at once', async () => {
      const [owner, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
      const bobWs = await ws(bob);
      const name = unique('group');
      const res = await http(t.api, 'POST', '/rooms', { token: owner.token, body: { name, member_ids: [bob.id, carol.id.toUpperCase()] } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual(expect.objectContaining({ name, type: 'private', owner_id: owner.id, my_role: 'owner', member_count: 3 }));
      const added = await bobWs.next((f) => f.type === 'member_added' && f.payload.user.id === bob.id);
      expect(added.payload).toEqual(expect.objectContaining({ room_id: res.body.id, role: 'member', added_by: owner.id }));

      const members = await http(t.api, 'GET', `/rooms/${res.body.id}/members`, { token: carol.token });
      expect(members.body.items.map((m: any) => [m.user.id, m.role]).sort()).toEqual(
        [[owner.id, 'owner'], [bob.id, 'member'], [carol.id, 'member']].sort(),
      );
      // Bob's live connection was subscribed: the lines recording both adds reach it (in the order
      // of member_ids), then Carol's message.
      const lines = [await bobWs.next('new_message'), await bobWs.next('new_message')].map((f) => [f.payload.seq, f.payload.system]);
      expect(lines).toEqual([
        [1, { event: 'member_joined', user_id: bob.id, actor_id: owner.id }],
        [2, { event: 'member_joined', user_id: carol.id, actor_id: owner.id }],
      ]);
      expect((await send(carol, res.body.id, { content: 'hello group' })).status).toBe(201);
      expect((await bobWs.next('new_message')).payload).toEqual(expect.objectContaining({ room_id: res.body.id, content: 'hello group' }));
    });

    it('ignores repeated ids and the caller\'s own id; an explicit type wins over the private default', async () => {
      const [owner, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
      const res = await http(t.api, 'POST', '/rooms', {
        token: owner.token,
        body: { name: unique('dupes'), type: 'public', member_ids: [bob.id, bob.id, bob.id.toUpperCase(), owner.id] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual(expect.objectContaining({ type: 'public', member_count: 2, my_role: 'owner' }));
      const members = await http(t.api, 'GET', `/rooms/${res.body.id}/members`, { token: owner.token });
      expect(members.body.items).toHaveLength(2);
      const empty = await http(t.api, 'POST', '/rooms', { token: owner.token, body: { name: unique('alone'), member_ids: [] } });
      expect(empty.body).toEqual(expect.objectContaining({ type: 'private', member_count: 1 }));
    });

    it('all or nothing: an unknown or deleted user is 404 and no room is created', async () => {
      const [owner, bob, gone] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
      expect((await http(t.api, 'DELETE', '/auth/me', { token: gone.token, body: { password: gone.password } })).status).toBe(200);
      const before = (await http(t.api, 'GET', '/rooms/me?limit=100', { token: owner.token })).body.items.length;
      for (const stranger of [randomUUID(), gone.id]) {
        const name = unique('nothing');
        const res = await http(t.api, 'POST', '/rooms', { token: owner.token, body: { name, type: 'public', member_ids: [bob.id, stranger] } });
        const error = expectError(res, 404, 'USER_NOT_FOUND');
        expect(error.details).toEqual([{ field: 'member_ids', problem: 'names an unknown user' }]);
        expect((await http(t.api, 'GET', `/rooms?q=${name}`, { token: bob.token })).body.items).toEqual([]);
      }
      expect((await http(t.api, 'GET', '/rooms/me?limit=100', { token: owner.token })).body.items).toHaveLength(before);
      expect((await http(t.api, 'GET', '/rooms/me?limit=100', { token: bob.token })).body.items).toHaveLength(0);
    });

    it.each([
      ['51 ids', () => ({ member_ids: Array.from({ length: 51 }, () => randomUUID()) })],
      ['ids that are not UUIDs', () => ({ member_ids: ['bob'] })],
      ['member_ids not an array', () => ({ member_ids: randomUUID() })],
      ['neither type nor member_ids', () => ({})],
      ['a bad type with member_ids', () => ({ type: 'dm', member_ids: [] })],
    ])('400 for %s, and no room is created', async (_name, extra) => {
      const owner = await registerUser(t.api);
      const res = await http(t.api, 'POST', '/rooms', { token: owner.token, body: { name: unique('bad'), ...extra() } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect((await http(t.api, 'GET', '/rooms/me', { token: owner.token })).body.items).toEqual([]);
    });
  });

  describe('type on send', () => {
    async function room() {
      const alice = await registerUser(t.api);
      return { alice, room: await createRoom(t.api, alice) };
    }

    it('"text" without attachments, the attachments\' kind with them', async () => {
      const { alice, room: r } = await room();
      const text = await send(alice, r.id, { content: 'plain', type: 'text' });
      expect(text.status).toBe(201);
      expect(text.body.type).toBe('text');
      const image = await send(alice, r.id, { attachment_ids: [await upload(alice, PNG, 'dot.png')], type: 'image' });
      expect(image.status).toBe(201);
      expect(image.body.type).toBe('image');
      const file = await send(alice, r.id, { content: 'the spec', attachment_ids: [await upload(alice, PDF, 'spec.pdf')], type: 'file' });
      expect(file.status).toBe(201);
      expect(file.body.type).toBe('file');
      // The first attachment decides, as it does without `type`.
      const mixed = await send(alice, r.id, { attachment_ids: [await upload(alice, PDF, 'a.pdf'), await upload(alice, PNG, 'b.png')], type: 'file' });
      expect(mixed.status).toBe(201);
    });

    it.each([
      ['"image" without attachments', false, 'image'],
      ['"file" without attachments', false, 'file'],
      ['"text" with an image', true, 'text'],
      ['"file" with an image', true, 'file'],
      ['"audio" with an image', true, 'audio'],
    ])('400 for %s, and nothing is stored', async (_name, withImage, type) => {
      const { alice, room: r } = await room();
      const attachment_ids = withImage ? [await upload(alice, PNG, 'dot.png')] : undefined;
      const res = await send(alice, r.id, { content: 'x', attachment_ids, type, client_msg_id: 'seed-1' });
      const error = expectError(res, 400, 'VALIDATION_FAILED');
      expect(error.details).toEqual([expect.objectContaining({ field: 'type' })]);
      expect(await lastSeq(alice, r.id)).toBe(0);
      // The client_msg_id was not used up: the corrected retry is stored.
      const retry = await send(alice, r.id, { content: 'x', attachment_ids, client_msg_id: 'seed-1' });
      expect(retry.status).toBe(201);
    });

    it.each([['system'], ['Text'], [''], [3], [null]])('400 for type %p', async (type) => {
      const { alice, room: r } = await room();
      expectError(await send(alice, r.id, { content: 'x', type }), 400, 'VALIDATION_FAILED');
      expect(await lastSeq(alice, r.id)).toBe(0);
    });

    it('WS send_message checks type the same way', async () => {
      const { alice, room: r } = await room();
      const aliceWs = await ws(alice);
      const ok = await aliceWs.request('send_message', { room_id: r.id, content: 'hi', type: 'text' });
      expect(ok.type).toBe('ack');
      expect(ok.payload.type).toBe('text');
      const bad = await aliceWs.request('send_message', { room_id: r.id, content: 'hi', type: 'image' });
      expect(bad).toEqual(expect.objectContaining({ type: 'error', payload: expect.objectContaining({ code: 'VALIDATION_FAILED' }) }));
      const image = await aliceWs.request('send_message', { room_id: r.id, attachment_ids: [await upload(alice, PNG, 'dot.png')], type: 'image' });
      expect(image.payload.type).toBe('image');
      const wrong = await aliceWs.request('send_message', { room_id: r.id, attachment_ids: [await upload(alice, PNG, 'dot.png')], type: 'audio' });
      expect(wrong.payload.code).toBe('VALIDATION_FAILED');
      expect(await lastSeq(alice, r.id)).toBe(2);
    });
  });

  it('documents all of it (and the directory, levels and room owner) in Swagger', async () => {
    const doc = (await (await fetch(`${t.origin}/docs-json`)).json()) as any;
    const schemas = doc.components.schemas;
    const op = (path: string, method: string) => doc.paths[`/api/v1${path}`]?.[method];
    expect(op('/users', 'get').parameters.map((p: any) => p.name).sort()).toEqual(['cursor', 'limit', 'q']);
    expect(op('/rooms/{id}/notifications', 'patch').responses).toEqual(expect.objectContaining({ '200': expect.anything(), '400': expect.anything(), '403': expect.anything(), '404': expect.anything() }));
    expect(schemas.NotificationLevelDto.properties.level.enum).toEqual(['all', 'mentions', 'none']);
    expect(schemas.NotificationLevelDto.required).toEqual(['level']);
    expect(schemas.RoomDto.properties.notification_level.enum).toEqual(['all', 'mentions', 'none']);
    expect(schemas.RoomDto.properties).toHaveProperty('owner');
    expect(schemas.CreateRoomDto.properties.member_ids).toEqual(expect.objectContaining({ type: 'array', maxItems: 50 }));
    expect(schemas.CreateRoomDto.required ?? []).not.toContain('type');
    expect(schemas.SendMessageBodyDto.properties.type.enum).toEqual(['text', 'image', 'file', 'audio']);
    expect(schemas.MarkReadDto.required ?? []).not.toContain('seq');
  });
});
