/** Minimal REST client for setting up our server's users and rooms (global fetch, Node 20). */

/** A registered user and its access token. */
export interface BenchUser {
  id: string;
  username: string;
  password: string;
  token: string;
}

/** Password of every benchmark user. */
export const BENCH_PASSWORD = 'bench-password-1';

/**
 * One JSON request; resolves with the parsed body.
 * @throws Error with the status and body when the answer is not 2xx.
 */
export async function api<T>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Runs tasks with at most `limit` in flight, keeping result order. */
export async function pool<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Registers `count` users named `<prefix><i>` (bcrypt runs on the server, so a few at a time). */
export async function registerUsers(base: string, prefix: string, count: number): Promise<BenchUser[]> {
  return pool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      const username = `${prefix}${i}`;
      const res = await api<{ user: { id: string }; access_token: string }>(base, 'POST', '/auth/register', undefined, {
        username,
        email: `${username}@bench.example.com`,
        password: BENCH_PASSWORD,
      });
      return { id: res.user.id, username, password: BENCH_PASSWORD, token: res.access_token };
    },
  );
}

/** Creates a public room owned by `owner` and has the other members join it; returns its id. */
export async function createRoom(base: string, owner: BenchUser, name: string, members: BenchUser[]): Promise<string> {
  const room = await api<{ id: string }>(base, 'POST', '/rooms', owner.token, { name, type: 'public' });
  const others = members.filter((m) => m.id !== owner.id);
  await pool(others, 8, (m) => api(base, 'POST', `/rooms/${room.id}/join`, m.token));
  return room.id;
}

/**
 * The small read fixture of the REST profiling tools: one new user owning 10 rooms of 50 messages.
 * @returns the user and the last room's id (the one whose history page the tools read)
 */
export async function readFixture(base: string, prefix: string): Promise<{ user: BenchUser; roomId: string }> {
  const [user] = await registerUsers(base, `${prefix}${Date.now().toString(36)}_`, 1);
  let roomId = '';
  for (let i = 0; i < 10; i++) {
    roomId = await createRoom(base, user, `${prefix} ${i} ${Date.now()}`, []);
    for (let j = 0; j < 50; j++) await api(base, 'POST', `/rooms/${roomId}/messages`, user.token, { content: `message ${j} with a few words in it` });
  }
  return { user, roomId };
}
