import { Client } from 'pg';
import { createRoom, http, registerUser } from './helpers/http';
import { spawnServer } from './helpers/server-process';
import { connectAuthed, Frame } from './helpers/ws-client';

/** SIGTERM: in-flight sends are stored and acked, sockets close with 1001, the process exits 0 (issue 5). */
describe('graceful shutdown of a server process (e2e)', () => {
  it('stores and acks in-flight messages, closes sockets with 1001 and exits 0 within 10 s', async () => {
    const server = await spawnServer();
    const alice = await registerUser(server.api);
    const bob = await registerUser(server.api);
    const room = await createRoom(server.api, alice);
    await http(server.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
    const a = await connectAuthed(server.wsUrl, alice.token);
    const b = await connectAuthed(server.wsUrl, bob.token);
    const first = await a.request('send_message', { room_id: room.id, content: 'before shutdown', client_msg_id: 'sd-0' });
    expect(first.type).toBe('ack');

    // A burst in flight, then SIGTERM straight away.
    const answers: Promise<Frame | null>[] = [];
    for (let i = 1; i <= 10; i++) {
      answers.push(a.request('send_message', { room_id: room.id, content: `burst ${i}`, client_msg_id: `sd-${i}` }, 15000).catch(() => null));
    }
    const started = Date.now();
    server.child.kill('SIGTERM');

    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);

    const acked = new Set((await Promise.all(answers)).filter((f): f is Frame => f?.type === 'ack').map((f) => f.payload.client_msg_id));
    acked.add('sd-0');
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      // Sent messages only: bob's join is a system line (no client_msg_id), stored before the burst.
      const rows = await db.query(`SELECT client_msg_id FROM messages WHERE room_id = $1 AND type <> 'system' ORDER BY seq`, [room.id]);
      const stored = new Set(rows.rows.map((r) => r.client_msg_id as string));
      // Every acknowledged message is stored, and nothing was stored without its ack reaching the client.
      expect([...stored].sort()).toEqual([...acked].sort());
    } finally {
      await db.end();
    }
  }, 90_000);
});
