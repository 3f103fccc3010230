import { createRoom, expectError, http, registerUser } from './helpers/http';
import { useTestApp } from './helpers/app';

const cursorOf = (values: unknown): string => Buffer.from(JSON.stringify(values)).toString('base64url');
const ID = '0b7e4a8e-5d0c-4f4b-9a55-1d1f3c1e2a10';

/**
 * Cursors this server never makes: each must be 400 INVALID_CURSOR on every list, never a 500. The
 * first ones are impossible timestamps, which only lists keyed by time can tell (the users list is
 * keyed by username, where any single-line text is a possible key).
 */
const IMPOSSIBLE_TIMES: [string, string][] = [
  ['impossible timestamp', cursorOf(['2024-13-45 99:99:99', ID])],
  ['30 February', cursorOf(['2023-02-30 10:00:00+00', ID])],
  ['year 0', cursorOf(['0000-01-01 00:00:00+00', ID])],
  ['offset out of range', cursorOf(['2024-01-01 10:00:00+99', ID])],
];
const IMPOSSIBLE: [string, string][] = [
  ['not a UUID', cursorOf(['2024-01-01 10:00:00+00', 'zz'])],
  ['NUL in the key', cursorOf(['a\u0000b', ID])],
  ['control characters in the key', cursorOf(['\n\u0005h\u{f2394}3z', '0000000b-001d-1000-b4e2-c663ffffffef'])],
  ['number instead of text', cursorOf([1700000000, ID])],
  ['one value', cursorOf(['2024-01-01 10:00:00+00'])],
  ['three values', cursorOf(['2024-01-01 10:00:00+00', ID, ID])],
  ['an object', cursorOf({ ts: '2024-01-01 10:00:00+00', id: ID })],
  ['nested', Buffer.from('['.repeat(300)).toString('base64url')],
  ['not base64 JSON', 'bm90IGpzb24'],
  ['empty array', cursorOf([])],
];

/**
 * Every cursor-paginated list validates its cursor with the one decoder: shape, a timestamp
 * PostgreSQL accepts and a UUID; anything else is 400 INVALID_CURSOR. Real cursors keep working.
 */
describe('cursors (e2e)', () => {
  const { t } = useTestApp();

  it.each([...IMPOSSIBLE_TIMES.map(([n, c]) => [n, c, false] as const), ...IMPOSSIBLE.map(([n, c]) => [n, c, true] as const)])(
    '%s is 400 INVALID_CURSOR on every cursor-paginated list (sessions included)',
    async (_name, cursor, alsoUsers) => {
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user);
      const timeLists = ['/rooms?', '/rooms/me?', '/dm?', `/rooms/${room.id}/members?`, '/messages/search?q=x&', '/auth/sessions?'];
      const lists = alsoUsers ? [...timeLists, '/users/search?q=a&', '/users?'] : timeLists;
      for (const list of lists) {
        const res = await http(t.api, 'GET', `${list}cursor=${encodeURIComponent(cursor)}`, { token: user.token });
        expect({ list, status: res.status }).toEqual({ list, status: 400 });
        expect(expectError(res, 400, 'INVALID_CURSOR').details).toEqual([{ field: 'cursor', problem: 'is not a valid cursor' }]);
      }
    },
  );

  it('cursors the server made still page through every list (sessions: one per login)', async () => {
    const user = await registerUser(t.api);
    await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: user.password } });
    await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: user.password } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await http(t.api, 'GET', `/auth/sessions?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: user.token });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((s: { id: string }) => s.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(3);

    await createRoom(t.api, user);
    await createRoom(t.api, user);
    const first = await http(t.api, 'GET', '/rooms/me?limit=1', { token: user.token });
    const second = await http(t.api, 'GET', `/rooms/me?limit=1&cursor=${first.body.next_cursor}`, { token: user.token });
    expect(second.status).toBe(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });
});
