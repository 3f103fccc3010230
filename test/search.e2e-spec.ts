import { createRoom, expectError, http, registerUser, sendText, unique } from './helpers/http';
import { useTestApp } from './helpers/app';

/**
 * Full-text search: only the caller's rooms, newest first with a cursor, a room filter, an
 * HTML-escaped highlighted snippet, deleted messages never found, and bad input refused.
 */
describe('message search (e2e)', () => {
  const { t } = useTestApp();


  it('finds words only in rooms the caller belongs to, never in other people\'s rooms', async () => {
    const word = unique('zebra');
    const [alice, bob, eve] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const shared = await createRoom(t.api, alice, 'public');
    await http(t.api, 'POST', `/rooms/${shared.id}/join`, { token: bob.token });
    const alicePrivate = await createRoom(t.api, alice, 'private');
    const evePublic = await createRoom(t.api, eve, 'public');
    const evePrivate = await createRoom(t.api, eve, 'private');
    const dm = (await http(t.api, 'POST', '/dm', { token: eve.token, body: { recipient_id: alice.id } })).body;

    const inShared = await sendText(t.api, bob, shared.id, `the ${word} crossed the road`);
    const inAlicePrivate = await sendText(t.api, alice, alicePrivate.id, `secret ${word} notes`);
    await sendText(t.api, eve, evePublic.id, `eve's public ${word}`);
    await sendText(t.api, eve, evePrivate.id, `eve's private ${word}`);
    const inDm = await sendText(t.api, eve, dm.id, `a ${word} for alice`);

    const asAlice = await http(t.api, 'GET', `/messages/search?q=${word}`, { token: alice.token });
    expect(asAlice.status).toBe(200);
    expect(asAlice.body.items.map((m: any) => m.id)).toEqual([inDm.id, inAlicePrivate.id, inShared.id]);
    const asBob = await http(t.api, 'GET', `/messages/search?q=${word}`, { token: bob.token });
    expect(asBob.body.items.map((m: any) => m.id)).toEqual([inShared.id]);
    // Eve's public room is visible to Bob, but he has not joined it: not searched.
    expect(asBob.body.items.map((m: any) => m.room_id)).not.toContain(evePublic.id);

    // room_id narrows the search to one of the caller's rooms; other rooms are refused.
    const narrowed = await http(t.api, 'GET', `/messages/search?q=${word}&room_id=${shared.id}`, { token: alice.token });
    expect(narrowed.body.items.map((m: any) => m.id)).toEqual([inShared.id]);
    expectError(await http(t.api, 'GET', `/messages/search?q=${word}&room_id=${evePrivate.id}`, { token: alice.token }), 404, 'ROOM_NOT_FOUND');
    expectError(await http(t.api, 'GET', `/messages/search?q=${word}&room_id=${evePublic.id}`, { token: bob.token }), 403, 'NOT_A_MEMBER');
  });

  it('pages newest first with a cursor, highlights matches in an escaped snippet, and forgets deleted messages', async () => {
    const word = unique('quokka');
    const alice = await registerUser(t.api);
    const room = await createRoom(t.api, alice, 'public');
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await sendText(t.api, alice, room.id, `<b>${word}</b> number ${i} & more`));

    const first = await http(t.api, 'GET', `/messages/search?q=${word}&limit=2`, { token: alice.token });
    expect(first.body.items.map((m: any) => m.id)).toEqual([sent[4].id, sent[3].id]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const hit = first.body.items[0];
    expect(hit).toMatchObject({ room_id: room.id, content: `<b>${word}</b> number 4 & more`, sender: { id: alice.id } });
    expect(hit.snippet).toContain(`<mark>${word}</mark>`);
    expect(hit.snippet).toContain('&lt;/b&gt; number 4 &amp; more');
    expect(hit.snippet).not.toContain('<b>');

    const second = await http(t.api, 'GET', `/messages/search?q=${word}&limit=2&cursor=${first.body.next_cursor}`, { token: alice.token });
    expect(second.body.items.map((m: any) => m.id)).toEqual([sent[2].id, sent[1].id]);
    const third = await http(t.api, 'GET', `/messages/search?q=${word}&limit=2&cursor=${second.body.next_cursor}`, { token: alice.token });
    expect(third.body.items.map((m: any) => m.id)).toEqual([sent[0].id]);
    expect(third.body.next_cursor).toBeNull();

    // Web-search syntax: a phrase and an exclusion.
    const phrase = await http(t.api, 'GET', `/messages/search?q=${encodeURIComponent(`"number 3" ${word}`)}`, { token: alice.token });
    expect(phrase.body.items.map((m: any) => m.id)).toEqual([sent[3].id]);
    const excluded = await http(t.api, 'GET', `/messages/search?q=${encodeURIComponent(`${word} -3 -4`)}&limit=10`, { token: alice.token });
    expect(excluded.body.items.map((m: any) => m.id)).toEqual([sent[2].id, sent[1].id, sent[0].id]);

    await http(t.api, 'DELETE', `/messages/${sent[4].id}`, { token: alice.token });
    await http(t.api, 'PATCH', `/messages/${sent[3].id}`, { token: alice.token, body: { content: 'nothing to see' } });
    const after = await http(t.api, 'GET', `/messages/search?q=${word}&limit=10`, { token: alice.token });
    expect(after.body.items.map((m: any) => m.id)).toEqual([sent[2].id, sent[1].id, sent[0].id]);
  });

  it('refuses bad queries and cursors (400) and anonymous callers (401)', async () => {
    const alice = await registerUser(t.api);
    for (const qs of ['', 'q=', 'q=%20%20', `q=${'x'.repeat(201)}`, 'q=a&limit=0', 'q=a&limit=101', 'q=a&room_id=nope', 'q=a&extra=1']) {
      expectError(await http(t.api, 'GET', `/messages/search?${qs}`, { token: alice.token }), 400, 'VALIDATION_FAILED');
    }
    expectError(await http(t.api, 'GET', '/messages/search?q=a&cursor=garbage', { token: alice.token }), 400, 'INVALID_CURSOR');
    expectError(await http(t.api, 'GET', '/messages/search?q=a'), 401);
    // Punctuation alone makes an empty query: no hits, no error.
    const empty = await http(t.api, 'GET', `/messages/search?q=${encodeURIComponent('!!! ---')}`, { token: alice.token });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ items: [], next_cursor: null });
  });
});
